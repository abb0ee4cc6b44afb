// `wgflab figure`: the headless figure from the shared chart spec, as SVG and as the CSV of what is drawn.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { figureOption } from '../../src/charts/figure';
import { CLI, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('wgflab figure', () => {
  it('draws groups with bands as SVG and writes exactly the drawn points as CSV', () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const file = path.join(dir, 'setup.json');
    writeFileSync(file, JSON.stringify({
      name: 'fig', iterations: 10, seeds: [0, 1, 2],
      problem: { kind: 'kl', target: { kind: 'gaussian', mean: [0], cov: [[1]] }, init: { kind: 'gaussian', mean: [3], cov: [[1]], particles: 30 }, metrics: ['energy'] },
      scheme: { kind: 'ula', step: 0.1 }, sweep: { 'scheme.kind': ['ula', 'mala'] },
    }));
    expect(cli(['run', file, '--db', db]).status).toBe(0);
    const svg = path.join(dir, 'fig.svg');
    const r = cli(['figure', '--db', db, '--setup', '1', '--metric', 'energy', '--group-by', 'scheme.kind', '--x', 'time', '--out', svg, '--title', 'ULA vs MALA']);
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('scheme.kind=ula (3 runs)');
    expect(text).toContain('scheme.kind=mala (3 runs)');
    expect(text).toContain('ULA vs MALA');
    const csv = path.join(dir, 'fig.csv');
    expect(cli(['figure', '--db', db, '--setup', '1', '--metric', 'energy', '--group-by', 'scheme.kind', '--out', csv]).status).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('curve,x,y,lo,hi,runs');
    expect(lines).toHaveLength(1 + 2 * 11);
    expect(lines.filter((l) => l.startsWith('scheme.kind=ula (3 runs),'))).toHaveLength(11);
    expect(cli(['figure', '--db', db, '--runs', '1,2', '--metric', 'nope', '--out', csv]).stderr).toMatch(/records metric "nope"/);
    expect(cli(['figure', '--db', db, '--metric', 'energy', '--out', csv]).status).toBe(2);
  });

  it('builds one band (lower edge + stacked width) and one center line per group, and skips non-positive values on a log axis', () => {
    const opt = figureOption({
      metricLabel: 'KL', xLabel: 'k', log: true, width: 400, height: 300,
      groups: [{ key: {}, label: 'g', runIds: [1], metric: 'kl', x: [0, 1, 2], center: [1, 0.5, 0], lo: [0.5, 0.25, 0], hi: [2, 1, 0], count: [1, 1, 1] }],
      references: [{ metric: 'kl', value: 0, label: 'zero' }],
    }) as { series: { name: string; data: [number, number][] }[]; legend: { data: string[] } };
    expect(opt.series.map((s) => s.name)).toEqual(['g band', 'g band', 'g']);
    expect(opt.series[2].data).toEqual([[0, 1], [1, 0.5]]);
    expect(opt.series[1].data).toEqual([[0, 1.5], [1, 0.75]]);
    expect(opt.legend.data).toEqual(['g']);
  });
});
