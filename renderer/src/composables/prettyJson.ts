// The setup's JSON view: objects indented, number lists and matrix rows on one line each.

const isFlat = (v: unknown[]): boolean => v.every((x) => x === null || typeof x !== 'object');

/** JSON with objects indented and number lists / small matrices on one line each, as one would write a setup file. */
export function prettyJson(v: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (isFlat(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
