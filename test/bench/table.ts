// A benchmark row and the table printer shared by every benchmark group.

export interface BenchRow {
  /** What was measured, e.g. "throughput, 16 runs, 2 workers". */
  readonly name: string;
  /** Measured value and its unit. */
  readonly value: number;
  readonly unit: string;
  /** Baseline measured in the same run (e.g. 1 worker, or POT), and the ratio value / baseline. */
  readonly baseline?: { readonly label: string; readonly value: number };
  /** The target, in words ("ratio >= 1.8", "< 20 ms"), and whether this run met it. */
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}

const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 3);
};

export function formatTable(title: string, rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'target', 'ok'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.value),
    r.unit,
    r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.label})` : '',
    r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}` : '',
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => `| ${cells.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`;
  const out = [`\n${title}`, line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  for (const r of rows) if (r.note) out.push(`  ${r.name}: ${r.note}`);
  return out.join('\n');
}
