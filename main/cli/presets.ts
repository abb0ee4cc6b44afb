// `wgflab presets` (one line per built-in preset: its id, then its title) and `wgflab presets show ID` (the preset
// as a setup file, ready for `wgflab run`).
import { PRESETS, findPreset } from '../../src/presets/index';
import type { Preset } from '../../src/api';

export class UnknownPresetError extends Error {}

/** The preset with this id, or an error listing the ids that exist. */
export function presetById(id: string): Preset {
  const p = findPreset(id);
  if (!p) throw new UnknownPresetError(`unknown preset "${id}"; presets: ${PRESETS.map((x) => x.id).join(', ')}`);
  return p;
}

/** Returns the exit code: 0, or 2 for a usage error (message on stderr). */
export function presetsCommand(args: readonly string[], io: { stdout(s: string): void; stderr(s: string): void }): number {
  if (args.length === 0) {
    for (const p of PRESETS) io.stdout(`${p.id}  ${p.title}\n`);
    return 0;
  }
  if (args[0] === 'show' && args.length === 2) {
    try {
      io.stdout(`${JSON.stringify(presetById(args[1]).setup, null, 2)}\n`);
      return 0;
    } catch (e) {
      io.stderr(`wgflab presets show: ${(e as Error).message}\n`);
      return 2;
    }
  }
  io.stderr('usage: wgflab presets            list the built-in presets (id, then title)\n       wgflab presets show <id>  print one as a setup file\n');
  return 2;
}
