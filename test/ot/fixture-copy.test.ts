// The repository's copy of the POT reference values must equal the shared original (when shared/ is present).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const copy = path.resolve(__dirname, '../fixtures/ot/pot-reference.json');
const shared = path.resolve(__dirname, '../../../shared/fixtures/ot/pot-reference.json');

describe('POT reference fixture', () => {
  it('has every group of cases', () => {
    const data = JSON.parse(readFileSync(copy, 'utf8')) as Record<string, unknown[]>;
    for (const group of ['exact', 'sinkhorn', 'exact1d', 'gaussian']) expect(data[group]?.length).toBeGreaterThan(0);
  });

  it.runIf(existsSync(shared))('is identical to ../shared/fixtures/ot/pot-reference.json', () => {
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});
