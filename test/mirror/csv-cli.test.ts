// The CLI's CSV references in a setup: {"kind": "csv", "path"} becomes {"kind": "points"} read from the file
// (relative to the setup file), and a bad file gives one line naming the field, the file and the line.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveCsvClouds } from '../../main/cli/csv-clouds';
import { parseSetup } from '../../src/setup/schema';

const dir = mkdtempSync(path.join(tmpdir(), 'wgf-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV clouds in a CLI setup', () => {
  it('replaces the references by the points, and the setup validates', () => {
    writeFileSync(path.join(dir, 'target.csv'), 'x,y\n1,2\n3,4\n5,6\n');
    writeFileSync(path.join(dir, 'source.csv'), '0,0\n1,1\n');
    const setup = { name: 't', iterations: 2, problem: { kind: 'matching', target: { kind: 'csv', path: 'target.csv' }, init: { kind: 'csv', path: 'source.csv' }, divergence: { kind: 'energy' } }, scheme: { kind: 'gd', step: 0.1 } };
    const out = resolveCsvClouds(setup, path.join(dir, 'setup.json')) as typeof setup;
    expect(out.problem.target).toEqual({ kind: 'points', points: [[1, 2], [3, 4], [5, 6]] });
    expect(out.problem.init).toEqual({ kind: 'points', points: [[0, 0], [1, 1]] });
    expect(parseSetup(out).ok).toBe(true);
  });

  it('reports a missing file and a ragged row with the field path, file and line', () => {
    writeFileSync(path.join(dir, 'bad.csv'), '1,2\n3\n');
    const setup = (p: string) => ({ problem: { kind: 'matching', target: { kind: 'csv', path: p } } });
    expect(() => resolveCsvClouds(setup('nope.csv'), path.join(dir, 's.json'))).toThrow(/^problem\.target\.path: cannot read .*nope\.csv: ENOENT$/);
    expect(() => resolveCsvClouds(setup('bad.csv'), path.join(dir, 's.json'))).toThrow(/^problem\.target\.path: .*bad\.csv, line 2: has 1 values, but the first row \(line 1\) has 2$/);
  });
});
