// A diff of two or more runs' configurations: only the field paths whose values differ, side by side.

/** Leaf paths of a JSON value ("scheme.step", "problem.init.mean[1]") to their values; arrays of numbers longer than `listLimit` stay whole. */
export function leaves(value: unknown, prefix = '', out: Map<string, unknown> = new Map(), listLimit = 16): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length > listLimit && value.every((v) => typeof v === 'number')) out.set(prefix, value);
    else value.forEach((v, i) => leaves(v, `${prefix}[${i}]`, out, listLimit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out, listLimit);
  } else {
    out.set(prefix, value);
  }
  return out;
}

export interface DiffRow {
  readonly path: string;
  /** One entry per run, in the order given; undefined where a run has no such field. */
  readonly values: readonly unknown[];
}

/** The fields whose values are not the same in every configuration (a missing field counts as different). */
export function diffConfigs(configs: readonly unknown[]): DiffRow[] {
  const flat = configs.map((c) => leaves(c));
  const paths = new Set<string>();
  for (const f of flat) for (const p of f.keys()) paths.add(p);
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const values = flat.map((f) => f.get(path));
    const first = JSON.stringify(values[0]);
    if (values.some((v, i) => i > 0 && JSON.stringify(v) !== first) || values.some((v, i) => !flat[i].has(path))) rows.push({ path, values });
  }
  return rows.sort((a, b) => a.path.localeCompare(b.path));
}
