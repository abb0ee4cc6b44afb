// Setup fields of the problem `two-layer-net`: the data (generated or given rows) and the model, with the checks
// zod cannot express (rectangular rows, CSV text that parses, a test split smaller than the data).
import { z } from 'zod';
import { parseCsv } from '../../nets/data';
import type { SetupIssue } from '../../setup/issues';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const nonNegative = z.number().min(0).refine(Number.isFinite, { message: 'must be a finite number' });
const inputs = z.int().min(1).max(10_000);
const samples = z.int().min(1).max(1_000_000);
const nTest = z.int().min(0).max(1_000_000).default(0).meta({ title: 'Test samples', description: 'held out, drawn like the training data (or the last rows of given data); they give test_risk' });

export const LinearDataSchema = z.strictObject({
  kind: z.literal('linear'),
  p: inputs.default(2).meta({ title: 'Input dimension p' }),
  n: samples.default(80).meta({ title: 'Training samples n' }),
  n_test: nTest,
}).meta({ title: 'Linear (Zhu §4.2)', description: 'x ~ N(0, I_p), y = beta^T x, beta ~ N(0, I_p) drawn once with the run\'s seed' });

export const TeacherDataSchema = z.strictObject({
  kind: z.literal('teacher'),
  p: inputs.default(2).meta({ title: 'Input dimension p' }),
  n: samples.default(100).meta({ title: 'Training samples n' }),
  n_test: nTest,
  m0: z.int().min(1).max(10_000).default(4).meta({ title: 'Teacher neurons m0' }),
  inputs: z.enum(['gaussian', 'sphere']).default('gaussian').meta({ title: 'Inputs', description: 'x ~ N(0, I_p) or uniform on the unit sphere' }),
  noise: nonNegative.default(0).meta({ title: 'Label noise', description: 'standard deviation of Gaussian noise added to the labels (0 = realizable)' }),
}).meta({ title: 'ReLU teacher (Chizat & Bach 2018)', description: 'y = sum_k s_k (w_k . x + c_k)_+ with w_k uniform on the unit sphere, c_k ~ U(-1/2, 1/2), signs + - + - (a sum, not an average)' });

export const CsvDataSchema = z.strictObject({
  kind: z.literal('csv'),
  rows: z.array(z.array(finite).min(2)).min(1).max(1_000_000).optional().meta({ title: 'Rows', description: 'one row [x1, ..., xp, y] per sample' }),
  text: z.string().max(100_000_000).optional().meta({ title: 'CSV text', description: 'columns x1..xp, y (comma, semicolon or tab); an optional header line; stored with the setup' }),
  n_test: nTest,
}).meta({ title: 'Given rows (CSV)', description: 'the rows are stored with the setup, so the run is reproducible (wgflab run also takes file: "rows.csv", relative to the setup file, and stores its text)' });

export const DataSchema = z.discriminatedUnion('kind', [LinearDataSchema, TeacherDataSchema, CsvDataSchema]).meta({ title: 'Data' });
export type NetDataLaw = z.output<typeof DataSchema>;

const weightDecay = nonNegative.default(0).meta({ title: 'Weight decay lambda', description: 'adds lambda int |theta|^2 dmu = lambda (1/m) sum_i |theta_i|^2 to the energy' });
const width = z.int().min(1).max(1_000_000).meta({ title: 'Neurons m' });

export const MeanFieldSchema = z.strictObject({
  kind: z.literal('mean-field'),
  m: width,
  activation: z.enum(['tanh', 'relu']).default('tanh').meta({ title: 'Activation phi' }),
  init_std: z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' }).default(1).meta({ title: 'Initial std', description: 'theta_i ~ N(0, s^2 I_{1+p})' }),
  weight_decay: weightDecay,
}).meta({ title: 'Mean-field (Zhu eq. 1)', description: 'theta = (a, w) in R^{1+p}, f(x) = (1/m) sum_i a_i phi(w_i^T x)' });

export const Relu2HomogeneousSchema = z.strictObject({
  kind: z.literal('relu-2homogeneous'),
  m: width,
  r0: z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' }).default(1).meta({ title: 'Initial radius r0', description: 'u_i uniform on the sphere of radius r0, signs of b_i alternating (balanced)' }),
  weight_decay: weightDecay,
}).meta({ title: '2-homogeneous ReLU (Chizat & Bach 2018)', description: 'u = (b, a) in R^{1+p+1}, f(x) = (1/m) sum_i b_i (a_i^T [x; 1])_+' });

export const ModelSchema = z.discriminatedUnion('kind', [MeanFieldSchema, Relu2HomogeneousSchema]).meta({ title: 'Model' });
export type NetModelLaw = z.output<typeof ModelSchema>;

/** The rows of csv data (parsed text or given rows) and their problems, each naming its field and line. */
export function csvRows(data: Extract<NetDataLaw, { kind: 'csv' }>, path: string): { rows: number[][]; issues: SetupIssue[] } {
  if ((data.rows === undefined) === (data.text === undefined)) return { rows: [], issues: [{ path, message: 'give exactly one of "rows" and "text"' }] };
  if (data.text !== undefined) {
    const r = parseCsv(data.text);
    return { rows: r.rows, issues: r.errors.slice(0, 20).map((e) => ({ path: `${path}.text`, message: `line ${e.line}: ${e.message}` })) };
  }
  const rows = data.rows!;
  const w = rows[0].length;
  const issues: SetupIssue[] = [];
  rows.forEach((r, i) => { if (r.length !== w && issues.length < 20) issues.push({ path: `${path}.rows[${i}]`, message: `has ${r.length} columns, but rows[0] has ${w} (x1..xp, y)` }); });
  return { rows, issues };
}

export function checkData(data: NetDataLaw, path: string): SetupIssue[] {
  if (data.kind !== 'csv') return [];
  const { rows, issues } = csvRows(data, path);
  if (issues.length) return issues;
  if (rows.length - data.n_test < 1) return [{ path: `${path}.n_test`, message: `is ${data.n_test}, but there are only ${rows.length} rows; at least one must stay for training` }];
  return [];
}
