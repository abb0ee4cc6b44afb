// `npm run bench [-- group...]`: runs benchmark groups (lab, load, compare, compare-grouped, flow, ot, particles, snapshots, mirror, grids, nets; all by default) and prints their tables.
import { formatTable, type BenchRow } from './table';
import { runLabBench } from './lab';
import { runCompareRenderBench } from './compare-render';
import { runCompareGroupedBench } from './compare-grouped';
import { runFlowRenderBench } from './flow-render';
import { runOtBench } from './ot';
import { runParticlesBench } from './particles';
import { runSnapshotBench } from './snapshots';
import { runMirrorBench } from './mirror';
import { runLoadBench } from './load';
import { runGridsBench } from './grids';
import { runNetsBench } from './nets';

const groups: Record<string, { title: string; run: () => Promise<BenchRow[]> }> = {
  lab: { title: 'Lab: pool throughput, metric ingestion, main event loop', run: runLabBench },
  load: { title: 'Server under load: 200 queued runs with 200 concurrent calls, then a 200-run Compare (info latency probed from another thread)', run: runLoadBench },
  compare: { title: 'Compare view: first render in Chromium', run: runCompareRenderBench },
  'compare-grouped': { title: 'Compare view grouped: 200 runs in 4 bands, and the service meanwhile', run: runCompareGroupedBench },
  flow: { title: 'Flow view: frame time in Chromium', run: runFlowRenderBench },
  ot: { title: 'Optimal transport toolbox (ratios against POT where found)', run: runOtBench },
  snapshots: { title: 'Snapshot ingest into SQLite', run: runSnapshotBench },
  particles: { title: 'Particle numerics: SVGD, ULA, entropy (ratios against NumPy / SciPy where found)', run: runParticlesBench },
  mirror: { title: 'Mirror and preconditioned descent: Newton mirror step, pgd on 5,000 points (ratios against NumPy)', run: runMirrorBench },
  grids: { title: 'Grids: one entropic JKO step by Dykstra (ratios against NumPy K1 P K2)', run: runGridsBench },
  nets: { title: 'Two-layer networks: a gd step against NumPy, a jko-map step of the Zhu preset', run: runNetsBench },
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((g) => !(g in groups));
if (unknown.length) {
  process.stderr.write(`unknown benchmark group(s): ${unknown.join(', ')}; allowed: ${Object.keys(groups).join(', ')}\n`);
  process.exit(2);
}
for (const name of asked.length ? asked : Object.keys(groups)) {
  const group = groups[name];
  process.stderr.write(`running benchmark group "${name}"...\n`);
  const rows = await group.run();
  process.stdout.write(`${formatTable(group.title, rows)}\n`);
}
