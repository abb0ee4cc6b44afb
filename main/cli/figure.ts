// `wgflab figure --db F (--runs 1,2,3 | --setup ID) --metric M [--group-by a,b] [--x iteration|time|wall]
//   [--center mean|median] [--band std|minmax|quantiles|none] [--width W --height H] --out fig.svg|fig.csv`:
// the figure Compare draws, rendered headless from the same chart spec (src/charts/figure.ts) as SVG, or its CSV.
import { writeFileSync } from 'node:fs';
import { openLabDatabase } from '../../db/lab-db';
import { figureCsv, figureOption, type FigureInput } from '../../src/charts/figure';
import type { GroupedMetricsInput, MetricDef, ReferenceLine } from '../../src/api';
import { groupedMetrics } from '../grouped-metrics';
import { defaultDbPath, userDataDir } from '../paths';

type Io = { stdout(s: string): void; stderr(s: string): void };
const USAGE = 'usage: wgflab figure [--db F] (--runs 1,2,3 | --setup ID) --metric M [--group-by a,b] [--x iteration|time|wall] [--center mean|median] [--band std|minmax|quantiles|none] [--width 800] [--height 500] [--title T] --out fig.svg|fig.csv';

function parse(args: readonly string[]): Map<string, string> {
  const o = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const [k, v] = eq >= 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), args[++i]];
    if (v === undefined) throw new Error(`option --${k} needs a value`);
    o.set(k, v);
  }
  return o;
}

const oneOf = <T extends string>(o: Map<string, string>, k: string, allowed: readonly T[], dflt: T): T => {
  const v = o.get(k) ?? dflt;
  if (!allowed.includes(v as T)) throw new Error(`--${k} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
};

export async function figureCommand(args: readonly string[], io: Io): Promise<number> {
  let o: Map<string, string>;
  try {
    o = parse(args);
    const known = ['db', 'runs', 'setup', 'metric', 'group-by', 'x', 'center', 'band', 'width', 'height', 'title', 'out'];
    const bad = [...o.keys()].find((k) => !known.includes(k));
    if (bad) throw new Error(`unknown option --${bad}`);
    if (!o.has('metric') || !o.has('out') || o.has('runs') === o.has('setup')) throw new Error('give --metric, --out and one of --runs or --setup');
  } catch (e) {
    io.stderr(`wgflab figure: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = o.get('db') ?? defaultDbPath(userDataDir());
  let db;
  try {
    db = openLabDatabase(file, { mustExist: true });
  } catch (e) {
    io.stderr(`wgflab figure: cannot open database ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const x = oneOf(o, 'x', ['iteration', 'time', 'wall'] as const, 'iteration');
    const center = oneOf(o, 'center', ['mean', 'median'] as const, 'mean');
    const band = oneOf(o, 'band', ['std', 'minmax', 'quantiles', 'none'] as const, 'std');
    const width = Number(o.get('width') ?? 800);
    const height = Number(o.get('height') ?? 500);
    if (!(width >= 100 && width <= 10_000 && height >= 100 && height <= 10_000)) throw new Error('--width and --height must be from 100 to 10000 pixels');
    const runIds = o.has('runs') ? o.get('runs')!.split(',').map((s) => Number(s.trim())) : db.listRuns(Number(o.get('setup'))).map((r) => r.id);
    if (!runIds.length || runIds.some((id) => !Number.isInteger(id) || !db.getRun(id))) throw new Error(`no such run(s): ${o.get('runs') ?? `setup ${o.get('setup')} has none`}`);
    const metric = o.get('metric')!;
    const rows = runIds.map((id) => db.getRun(id)!);
    const def = rows.map((r) => (JSON.parse(r.metric_defs_json ?? '[]') as MetricDef[]).find((d) => d.name === metric)).find(Boolean);
    if (!rows.some((r) => (JSON.parse(r.metric_names_json ?? '[]') as string[]).includes(metric))) throw new Error(`no run among ${runIds.join(', ')} records metric "${metric}"`);
    const references = rows.flatMap((r) => (JSON.parse(r.references_json ?? '[]') as ReferenceLine[]).filter((l) => l.metric === metric))
      .filter((l, i, all) => all.findIndex((m) => m.value === l.value && m.label === l.label) === i);
    const groupBy = o.has('group-by') ? o.get('group-by')!.split(',').map((s) => s.trim()).filter(Boolean) : null;
    const input: FigureInput = {
      title: o.get('title'), metricLabel: def?.label ?? metric, log: def?.log ?? false, references, width, height,
      xLabel: x === 'time' ? 't = k × step' : x === 'wall' ? 'wall time (s)' : 'iteration k',
      ...(groupBy
        ? { groups: await groupedMetrics(db, { runIds, metric, groupBy, center, band, x } satisfies GroupedMetricsInput) }
        : {
            curves: rows.map((r) => {
              const s = db.readSeries(r.id, metric);
              const step = (JSON.parse(r.params_json || '{}') as Record<string, unknown>)['scheme.step'];
              const xs = x === 'wall' ? s.wallMs.map((w) => w / 1000) : x === 'time' ? s.iterations.map((k) => k * (typeof step === 'number' ? step : 1)) : s.iterations;
              return { label: `#${r.id} ${r.label}`, x: xs, y: s.values };
            }),
          }),
    };
    const out = o.get('out')!;
    if (out.endsWith('.csv')) {
      writeFileSync(out, figureCsv(input));
    } else if (out.endsWith('.svg')) {
      const echarts = await import('echarts');
      const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
      chart.setOption(figureOption(input) as Parameters<typeof chart.setOption>[0]);
      writeFileSync(out, chart.renderToSVGString());
      chart.dispose();
    } else {
      throw new Error(`--out must end in .svg or .csv, got "${out}" (PNG: export it from Compare in the app)`);
    }
    io.stderr(`wrote ${out}\n`);
    return 0;
  } catch (e) {
    io.stderr(`wgflab figure: ${(e as Error).message}\n`);
    return 2;
  } finally {
    db.close();
  }
}
