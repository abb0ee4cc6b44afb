// The plug-in contract: measures (representations of mu), problems (an objective F and its data) and schemes
// (time discretizations). A problem and a scheme never import each other; they meet through the capabilities
// a problem offers and a scheme requires, both named here.
import type { z } from 'zod';
import type { Rng } from '../random';
import type { SetupIssue } from '../setup/issues';
import type { GaussianMeasure } from '../measures/gaussian';
import type { ParticleMeasure } from '../measures/particles';
import type { GridMeasure } from '../measures/grid';

export type MeasureKind = 'gaussian' | 'particles' | 'grid';
export interface MeasureOf { gaussian: GaussianMeasure; particles: ParticleMeasure; grid: GridMeasure }

/** A metric series a problem or scheme records. Stored with the run; the renderer hard-codes no name. */
export interface MetricDef {
  readonly name: string;
  readonly label: string;
  /** Drawn on a log axis by default. */
  readonly log: boolean;
  /** 'step': at every iteration; 'sparse': every `metrics_every` iterations (and at k = 0 and the last). */
  readonly cadence: 'step' | 'sparse';
  readonly description?: string;
}

/** A horizontal line a problem knows (e.g. a known minimum), drawn next to the metric it belongs to. */
export interface ReferenceLine {
  readonly metric: string;
  readonly value: number;
  readonly label: string;
}

/**
 * A quadratic potential V(x) = (x - m)^T A (x - m) / 2 written in the working basis of a Gaussian measure,
 * where A = Sigma^-1 is diagonal: sig = eigenvalues of Sigma, a = 1 / sig, m the mean in that basis.
 */
export interface GaussianQuadratic {
  readonly d: number;
  readonly m: Float64Array;
  readonly sig: Float64Array;
  readonly a: Float64Array;
}

/** F(mu) = KL(mu | pi) with pi proportional to exp(-V): V and grad V batched over n points (row-major n x d). */
export interface KlPotential {
  readonly dim: number;
  potential(x: Float64Array, n: number, out: Float64Array): void;
  gradPotential(x: Float64Array, n: number, out: Float64Array): void;
}

/**
 * The gradient of the first variation dF/dmu (mu) evaluated at arbitrary points `at` (nAt x d), for a
 * particle measure mu: the Wasserstein gradient grad_W F(mu) = grad (dF/dmu).
 */
export interface FirstVariationGradient {
  gradFirstVariation(mu: ParticleMeasure, at: Float64Array, nAt: number, out: Float64Array): void;
}

/**
 * The symmetric positive-definite matrix Sigma (d x d, row-major) that shapes a problem's geometry (the interaction
 * energy's W(z) = f(z^T Sigma^-1 z)); preconditioned and mirror schemes may use it as P or inside their potential.
 */
export interface Anisotropy {
  readonly d: number;
  readonly sigma: Float64Array;
  readonly sigmaInv: Float64Array;
}

/**
 * For grid measures: f through its KL proximal operator Prox^KL_{s f}(z) = argmin_p KL(p | z) + s f(p) over masses
 * p >= 0 (all channels at once, channel-major like GridMeasure.masses), as used by entropic JKO (Peyre 2015).
 * Both forms return the inner solver's residual (0 for a closed form).
 */
export interface GridKlProx {
  prox(z: Float64Array, s: number, out: Float64Array): number;
  /** The same on logs: outLog = log Prox(exp(logZ)); entries may be -Infinity (zero mass). */
  proxLog(logZ: Float64Array, s: number, outLog: Float64Array): number;
  /** f(p). */
  value(p: Float64Array): number;
}

/** For grid measures: f(p) and its gradient in the masses (Euclidean, all channels). */
export interface GridMassGradient {
  gradient(p: Float64Array, out: Float64Array): number;
}

/**
 * An energy E(mu) and the gradient of its first variation, for schemes that build their own objective
 * E + w H (H = -h, the negative entropy): w = `entropyWeight` when the problem fixes it (kl: KL = E - h + log Z,
 * w = 1), else the scheme's own temperature tau (two-layer-net: the risk plus weight decay).
 */
export interface EnergyCapability {
  value(mu: ParticleMeasure): number;
  gradFirstVariation(mu: ParticleMeasure, at: Float64Array, nAt: number, out: Float64Array): void;
  readonly entropyWeight?: number;
}

/** What a problem instance may offer to schemes. A scheme's `requires` names keys of this interface. */
export interface Capabilities {
  readonly gaussianQuadratic?: GaussianQuadratic;
  readonly klPotential?: KlPotential;
  readonly firstVariation?: FirstVariationGradient;
  readonly anisotropy?: Anisotropy;
  readonly klProx?: GridKlProx;
  readonly massGradient?: GridMassGradient;
  readonly energy?: EnergyCapability;
}
export type Capability = keyof Capabilities;

export interface ProblemContext {
  readonly seed: number;
  /** Draws the initial measure and any data sample; schemes get an independent stream. */
  readonly rng: Rng;
  /** Separate stream for metric estimates (fresh target samples), so cadence does not change the run. */
  readonly metricRng: Rng;
}

/** One problem, created for one run. */
export interface ProblemInstance<K extends MeasureKind = MeasureKind> {
  readonly init: MeasureOf[K];
  readonly caps: Capabilities;
  readonly metrics: readonly MetricDef[];
  readonly references?: readonly ReferenceLine[];
  /**
   * Writes the problem's metrics of mu at iteration k into out[0..metrics.length), in `metrics` order.
   * Sparse metrics are computed only when `sparse` is true; otherwise they are written as NaN (= not measured).
   */
  evaluate(mu: MeasureOf[K], k: number, sparse: boolean, out: Float64Array): void;
}

export interface ProblemDef<K extends MeasureKind = MeasureKind, P extends { kind: string } = { kind: string }> {
  readonly kind: P['kind'];
  readonly schema: z.ZodType<P, any>;
  readonly measure: K;
  /** The capabilities every instance offers (the registry derives which schemes fit from these). */
  readonly capabilities: readonly Capability[];
  /** Source of the objective, one line. */
  readonly cite: string;
  /** Checks zod cannot express (dimensions that agree, SPD matrices), with paths under `path`. */
  check?(params: P, path: string): SetupIssue[];
  /** True when the problem draws nothing at random (initial law and metrics exact). */
  deterministic?(params: P): boolean;
  create(params: P, ctx: ProblemContext): ProblemInstance<K>;
}

/** A running scheme on one measure: advances it in place. */
export interface Stepper<K extends MeasureKind = MeasureKind> {
  /** Advances mu from iteration k to k + 1, in place. */
  step(mu: MeasureOf[K], k: number): void;
  /** The scheme's own metrics (e.g. MALA's acceptance), written by `evaluate` in this order. */
  readonly metrics?: readonly MetricDef[];
  evaluate?(mu: MeasureOf[K], k: number, sparse: boolean, out: Float64Array): void;
  /** Something the run should say about how the scheme went (e.g. an inner solver that hit its cap). */
  warning?(): string | undefined;
}

/** A bound a theorem gives: metric `name` = rate^k x (value of metric `of` at k = 0). */
export interface TheoryBound {
  readonly name: string;
  readonly label: string;
  readonly of: string;
  readonly rate: number;
}

export interface SchemeDef<K extends MeasureKind = MeasureKind, P extends { kind: string } = { kind: string }> {
  readonly kind: P['kind'];
  readonly schema: z.ZodType<P, any>;
  readonly measure: K;
  readonly requires: readonly Capability[];
  /** Source of the scheme, one line (paper, equation). */
  readonly cite: string;
  /** True when the scheme draws nothing at random. */
  readonly deterministic: boolean;
  create(params: P, problem: ProblemInstance<K>, mu0: MeasureOf[K], rng: Rng): Stepper<K>;
  /** Bounds a theorem gives for these parameters on this problem (only when its conditions hold). */
  bounds?(params: P, problem: ProblemInstance<K>): readonly TheoryBound[];
}

/** Identity helpers that keep the literal types of a definition. */
export const defineScheme = <K extends MeasureKind, P extends { kind: string }>(def: SchemeDef<K, P>): SchemeDef<K, P> => def;
export const defineProblem = <K extends MeasureKind, P extends { kind: string }>(def: ProblemDef<K, P>): ProblemDef<K, P> => def;
