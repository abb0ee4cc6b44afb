// WebAssembly SIMD (f64x2) kernels for the dense Sinkhorn hot loops, assembled here from a few opcodes (WebAssembly
// core spec + fixed-width SIMD proposal, binary format): exp in place (Cody–Waite reduction, degree-13 Taylor, 2^k from
// the exponent bits; about 2 ulp), four-row dot products with a vector, the four-row update ktu += sum u_r K_r, and
// the network simplex's pricing minimum min_j (C_j - pi_j) over a row segment.
// Loaded only where the WebAssembly global exists; callers fall back to plain TypeScript loops otherwise.

interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** One SIMD workspace: a fresh linear memory of at least `bytes` bytes and the kernels bound to it. */
export interface SimdWorkspace {
  readonly buffer: ArrayBuffer;
  /** mem[ptr + 8k] = exp(scale * mem[ptr + 8k] + bias) for k < count (count even, ptr 8-aligned). Valid for arguments in [-708, 0]. */
  expInPlace(ptr: number, count: number, scale: number, bias: number): void;
  /** out[r] = sum_{j < 2 pairs} K[row0 + r][j] v[j] for r < 4 (only the first 2 * pairs columns). */
  dot4(rowPtr: number, vPtr: number, pairs: number, rowBytes: number, outPtr: number): void;
  /** ktu[j] += u0 K[row0][j] + u1 K[row0 + 1][j] + u2 K[row0 + 2][j] + u3 K[row0 + 3][j] for j < 2 pairs. */
  axpy4(rowPtr: number, ktuPtr: number, pairs: number, rowBytes: number, u0: number, u1: number, u2: number, u3: number): void;
  /** min over k < count of (mem[cPtr + 8k] - mem[piPtr + 8k]), +Infinity when count = 0 (pointers 8-aligned). */
  minDiff(cPtr: number, piPtr: number, count: number): number;
}

// ---- a minimal assembler ----
const u32 = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const s32 = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const f64bytes = (x: number): number[] => Array.from(new Uint8Array(new Float64Array([x]).buffer));
const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];
const name = (s: string): number[] => [...u32(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;
const get = (i: number) => [0x20, ...u32(i)];
const set = (i: number) => [0x21, ...u32(i)];
const i32c = (v: number) => [0x41, ...s32(v)];
const f64c = (v: number) => [0x44, ...f64bytes(v)];
const simd = (op: number) => [0xfd, ...u32(op)];
const vload = (offset = 0) => [0xfd, ...u32(0x00), 3, ...u32(offset)];
const vstore = (offset = 0) => [0xfd, ...u32(0x0b), 3, ...u32(offset)];
const f64store = (offset = 0) => [0x39, 3, ...u32(offset)];
const SPLAT = simd(0x14), ADD = simd(0xf0), SUB = simd(0xf1), MUL = simd(0xf2), MAX = simd(0xf5), NEAREST = simd(0x94);
const TRUNC0 = simd(0xfc), EXTEND_LO = simd(0xc7), I64ADD = simd(0xce), I64SHL = simd(0xcb);
const lane = (l: number) => [...simd(0x21), l];
const I32ADD = [0x6a], I32MUL = [0x6c], I32GEU = [0x4f], I32AND = [0x71];
const MIN = simd(0xf4), F64SUB = [0xa1], F64MIN = [0xa4];
const f64load = (offset = 0) => [0x2b, 3, ...u32(offset)];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b], brIf = (d: number) => [0x0d, ...u32(d)], br = (d: number) => [0x0c, ...u32(d)];
const splatConst = (x: number) => [...f64c(x), ...SPLAT];
const v128i64 = (x: number) => {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(x), true);
  dv.setBigInt64(8, BigInt(x), true);
  return [...simd(0x0c), ...Array.from(b)];
};
const func = (locals: [number, number][], body: number[]): number[] => {
  const code = [...vec(locals.map(([count, type]) => [...u32(count), type])), ...body, ...END];
  return [...u32(code.length), ...code];
};

function assemble(): Uint8Array {
  // Types: 0 expInPlace(i32 ptr, i32 count, f64 scale, f64 bias); 1 dot4(i32 row, i32 v, i32 pairs, i32 rowBytes, i32 out);
  // 2 axpy4(i32 row, i32 ktu, i32 pairs, i32 rowBytes, f64 u0, f64 u1, f64 u2, f64 u3).
  const types = vec([
    [0x60, ...vec([[I32], [I32], [F64], [F64]]), 0],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [F64], [F64], [F64], [F64]]), 0],
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F64]])],
  ]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...u32(1)]]);
  const funcs = vec([[0], [1], [2], [3]]);
  const exports = vec([
    [...name('expInPlace'), 0x00, 0],
    [...name('dot4'), 0x00, 1],
    [...name('axpy4'), 0x00, 2],
    [...name('minDiff'), 0x00, 3],
  ]);

  // expInPlace: params 0 ptr, 1 count, 2 scale, 3 bias; locals 4 end (i32), 5 x, 6 k, 7 r, 8 p, 9 scale, 10 lower
  // bound, 11 bias (v128).
  const LOG2E = 1.4426950408889634, LN2HI = 6.93147180369123816490e-1, LN2LO = 1.90821492927058770002e-10;
  const horner: number[] = [...splatConst(1 / 6227020800)];
  const fact = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600];
  for (let i = 12; i >= 0; i--) horner.push(...get(7), ...MUL, ...splatConst(1 / fact[i]), ...ADD);
  const expBody = [
    ...get(0), ...get(1), ...i32c(8), ...I32MUL, ...I32ADD, ...set(4),
    ...get(2), ...SPLAT, ...set(9),
    ...splatConst(-708), ...set(10),
    ...get(3), ...SPLAT, ...set(11),
    ...BLOCK, ...LOOP,
    ...get(0), ...get(4), ...I32GEU, ...brIf(1),
    ...get(0), ...vload(), ...get(9), ...MUL, ...get(11), ...ADD, ...get(10), ...MAX, ...set(5),
    ...get(5), ...splatConst(LOG2E), ...MUL, ...NEAREST, ...set(6),
    ...get(5), ...get(6), ...splatConst(LN2HI), ...MUL, ...SUB, ...get(6), ...splatConst(LN2LO), ...MUL, ...SUB, ...set(7),
    ...horner, ...set(8),
    ...get(0),
    ...get(8), ...get(6), ...TRUNC0, ...EXTEND_LO, ...v128i64(1023), ...I64ADD, ...i32c(52), ...I64SHL, ...MUL,
    ...vstore(),
    ...get(0), ...i32c(16), ...I32ADD, ...set(0),
    ...br(0), ...END, ...END,
  ];
  const expFn = func([[1, I32], [7, V128]], expBody);

  // dot4: params 0 row, 1 v, 2 pairs, 3 rowBytes, 4 out; locals 5 j, 6 end, 7 r1, 8 r2, 9 r3 (i32), 10-13 acc, 14 vv (v128).
  const accStep = (rowLocal: number, acc: number) => [...get(acc), ...get(rowLocal), ...get(5), ...I32ADD, ...vload(), ...get(14), ...MUL, ...ADD, ...set(acc)];
  const hsum = (acc: number, offset: number) => [...get(4), ...get(acc), ...lane(0), ...get(acc), ...lane(1), 0xa0, ...f64store(offset)];
  const dotBody = [
    ...get(2), ...i32c(16), ...I32MUL, ...set(6),
    ...get(0), ...get(3), ...I32ADD, ...set(7),
    ...get(7), ...get(3), ...I32ADD, ...set(8),
    ...get(8), ...get(3), ...I32ADD, ...set(9),
    ...BLOCK, ...LOOP,
    ...get(5), ...get(6), ...I32GEU, ...brIf(1),
    ...get(1), ...get(5), ...I32ADD, ...vload(), ...set(14),
    ...accStep(0, 10), ...accStep(7, 11), ...accStep(8, 12), ...accStep(9, 13),
    ...get(5), ...i32c(16), ...I32ADD, ...set(5),
    ...br(0), ...END, ...END,
    ...hsum(10, 0), ...hsum(11, 8), ...hsum(12, 16), ...hsum(13, 24),
  ];
  const dotFn = func([[5, I32], [5, V128]], dotBody);

  // axpy4: params 0 row, 1 ktu, 2 pairs, 3 rowBytes, 4-7 u; locals 8 j, 9 end, 10 r1, 11 r2, 12 r3 (i32), 13-16 splats (v128).
  const term = (rowLocal: number, s: number) => [...get(s), ...get(rowLocal), ...get(8), ...I32ADD, ...vload(), ...MUL];
  const axpyBody = [
    ...get(2), ...i32c(16), ...I32MUL, ...set(9),
    ...get(0), ...get(3), ...I32ADD, ...set(10),
    ...get(10), ...get(3), ...I32ADD, ...set(11),
    ...get(11), ...get(3), ...I32ADD, ...set(12),
    ...get(4), ...SPLAT, ...set(13), ...get(5), ...SPLAT, ...set(14), ...get(6), ...SPLAT, ...set(15), ...get(7), ...SPLAT, ...set(16),
    ...BLOCK, ...LOOP,
    ...get(8), ...get(9), ...I32GEU, ...brIf(1),
    ...get(1), ...get(8), ...I32ADD,
    ...get(1), ...get(8), ...I32ADD, ...vload(),
    ...term(0, 13), ...term(10, 14), ...ADD, ...term(11, 15), ...term(12, 16), ...ADD, ...ADD, ...ADD,
    ...vstore(),
    ...get(8), ...i32c(16), ...I32ADD, ...set(8),
    ...br(0), ...END, ...END,
  ];
  const axpyFn = func([[5, I32], [4, V128]], axpyBody);

  // minDiff: params 0 c, 1 pi, 2 count; locals 3 quadEnd, 4 end (i32), 5 res (f64), 6 acc0, 7 acc1 (v128).
  // Four entries per step in two independent f64x2.min chains, then a scalar tail.
  const diff = (offset: number) => [...get(0), ...vload(offset), ...get(1), ...vload(offset), ...SUB];
  const minBody = [
    ...get(0), ...get(2), ...i32c(-4), ...I32AND, ...i32c(8), ...I32MUL, ...I32ADD, ...set(3),
    ...get(0), ...get(2), ...i32c(8), ...I32MUL, ...I32ADD, ...set(4),
    ...splatConst(Infinity), ...set(6), ...splatConst(Infinity), ...set(7),
    ...BLOCK, ...LOOP,
    ...get(0), ...get(3), ...I32GEU, ...brIf(1),
    ...get(6), ...diff(0), ...MIN, ...set(6),
    ...get(7), ...diff(16), ...MIN, ...set(7),
    ...get(0), ...i32c(32), ...I32ADD, ...set(0),
    ...get(1), ...i32c(32), ...I32ADD, ...set(1),
    ...br(0), ...END, ...END,
    ...get(6), ...get(7), ...MIN, ...set(6),
    ...get(6), ...lane(0), ...get(6), ...lane(1), ...F64MIN, ...set(5),
    ...BLOCK, ...LOOP,
    ...get(0), ...get(4), ...I32GEU, ...brIf(1),
    ...get(5), ...get(0), ...f64load(), ...get(1), ...f64load(), ...F64SUB, ...F64MIN, ...set(5),
    ...get(0), ...i32c(8), ...I32ADD, ...set(0),
    ...get(1), ...i32c(8), ...I32ADD, ...set(1),
    ...br(0), ...END, ...END,
    ...get(5),
  ];
  const minFn = func([[2, I32], [1, F64], [2, V128]], minBody);

  const code = vec([expFn, dotFn, axpyFn, minFn]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ];
  return new Uint8Array(bytes);
}

/** Bytes rounded up to a multiple of 16 (offsets of f64x2 arrays in a workspace). */
export const align16 = (bytes: number): number => (bytes + 15) & ~15;

let cached: { api: WasmApi; module: object } | null | undefined;

function load(): { api: WasmApi; module: object } | null {
  if (cached !== undefined) return cached;
  cached = null;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const bytes = assemble();
    if (!api.validate(bytes)) return null;
    cached = { api, module: new api.Module(bytes) };
  } catch {
    cached = null;
  }
  return cached;
}

/** True when WebAssembly with SIMD is available (the module validates and compiles). */
export function simdAvailable(): boolean {
  return load() !== null;
}

/** A workspace with at least `bytes` bytes of linear memory, or null (no WebAssembly SIMD, or too large). */
export function createSimdWorkspace(bytes: number): SimdWorkspace | null {
  const lib = load();
  if (lib === null || !(bytes > 0) || bytes > 2 ** 31) return null;
  try {
    const memory = new lib.api.Memory({ initial: Math.ceil(bytes / 65536) });
    const inst = new lib.api.Instance(lib.module, { env: { memory } });
    const ex = inst.exports as {
      expInPlace: (p: number, c: number, s: number, b: number) => void;
      dot4: (r: number, v: number, k: number, rb: number, o: number) => void;
      axpy4: (r: number, t: number, k: number, rb: number, a: number, b: number, c: number, d: number) => void;
      minDiff: (c: number, p: number, k: number) => number;
    };
    return { buffer: memory.buffer, expInPlace: ex.expInPlace, dot4: ex.dot4, axpy4: ex.axpy4, minDiff: ex.minDiff };
  } catch {
    return null;
  }
}

// One released workspace is kept (weakly: the garbage collector may drop it) so that the next solve of a similar
// size reuses its pages: touching a fresh 32 MB linear memory costs ~8000 page faults, measured at 40-70 ms, more
// than a whole kernel-form Sinkhorn solve at large reg.
let spare: WeakRef<SimdWorkspace> | null = null;

/** A workspace of at least `bytes` bytes (contents undefined: callers initialize what they read), or null. */
export function acquireSimdWorkspace(bytes: number): SimdWorkspace | null {
  const cached = spare?.deref();
  spare = null;
  if (cached && cached.buffer.byteLength >= bytes && cached.buffer.byteLength <= 4 * bytes + (1 << 24)) return cached;
  return createSimdWorkspace(bytes);
}

/** Hands a workspace back once nothing reads its memory any more (no result may keep views into it). */
export function releaseSimdWorkspace(ws: SimdWorkspace | null): void {
  if (ws !== null) spare = new WeakRef(ws);
}

