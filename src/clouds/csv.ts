// Point clouds from CSV text: one point per row, coordinates separated by commas (or semicolons or tabs), an optional
// header row of column names, blank lines and lines starting with '#' ignored. Pure parsing; errors name the line.

/** At most this many points per imported cloud (the points are stored inside the setup). */
export const MAX_CSV_POINTS = 100_000;
/** At most this many coordinates per point. */
export const MAX_CSV_DIM = 1000;

export class CsvCloudError extends Error {
  constructor(readonly source: string, readonly line: number | null, detail: string) {
    super(`${source}${line === null ? '' : `, line ${line}`}: ${detail}`);
    this.name = 'CsvCloudError';
  }
}

export interface CsvCloud {
  readonly points: number[][];
  readonly dim: number;
  readonly header: string[] | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function splitRow(line: string, sep: string): string[] {
  return line.split(sep).map((f) => f.trim().replace(/^"(.*)"$/, '$1').trim());
}

/** Parses CSV text into points; `source` names the file in errors (e.g. its path). */
export function parseCsvCloud(text: string, source = 'CSV', options: { maxPoints?: number; dim?: number } = {}): CsvCloud {
  const maxPoints = options.maxPoints ?? MAX_CSV_POINTS;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const rows: { line: number; text: string }[] = [];
  lines.forEach((t, i) => {
    const s = t.trim();
    if (s && !s.startsWith('#')) rows.push({ line: i + 1, text: s });
  });
  if (!rows.length) throw new CsvCloudError(source, null, 'the file is empty (no rows of numbers)');
  const first = rows[0].text;
  const sep = first.includes(',') ? ',' : first.includes(';') ? ';' : first.includes('\t') ? '\t' : ',';
  let header: string[] | null = null;
  let start = 0;
  const firstFields = splitRow(first, sep);
  if (firstFields.some((f) => !NUMBER.test(f))) {
    if (firstFields.every((f) => !NUMBER.test(f) && f !== '')) {
      header = firstFields;
      start = 1;
    }
  }
  if (rows.length - start === 0) throw new CsvCloudError(source, null, 'the file has a header but no rows of numbers');
  if (rows.length - start > maxPoints) throw new CsvCloudError(source, null, `has ${rows.length - start} points; at most ${maxPoints} are allowed`);
  const dim = header ? header.length : splitRow(rows[start].text, sep).length;
  if (dim > MAX_CSV_DIM) throw new CsvCloudError(source, rows[start].line, `has ${dim} columns; at most ${MAX_CSV_DIM} coordinates are allowed`);
  const points: number[][] = [];
  for (let r = start; r < rows.length; r++) {
    const { line, text: t } = rows[r];
    const fields = splitRow(t, sep);
    if (fields.length !== dim) {
      throw new CsvCloudError(source, line, `has ${fields.length} values, but ${header ? 'the header has' : `the first row (line ${rows[start].line}) has`} ${dim}`);
    }
    const p = new Array<number>(dim);
    for (let c = 0; c < dim; c++) {
      const f = fields[c];
      if (!NUMBER.test(f)) throw new CsvCloudError(source, line, `column ${c + 1}: "${f.length > 40 ? `${f.slice(0, 40)}...` : f}" is not a number`);
      const v = Number(f);
      if (!Number.isFinite(v)) throw new CsvCloudError(source, line, `column ${c + 1}: ${f} is not a finite number`);
      p[c] = v;
    }
    points.push(p);
  }
  if (options.dim !== undefined && dim !== options.dim) {
    throw new CsvCloudError(source, null, `has points of dimension ${dim}, but the other cloud has dimension ${options.dim}`);
  }
  return { points, dim, header };
}

/** The cloud as CSV text (a header x1..xd, full precision), the inverse of parseCsvCloud. */
export function formatCsvCloud(points: readonly (readonly number[])[]): string {
  const d = points[0]?.length ?? 0;
  const head = Array.from({ length: d }, (_, c) => `x${c + 1}`).join(',');
  return `${head}\n${points.map((p) => p.map((v) => String(v)).join(',')).join('\n')}\n`;
}
