// Built-in presets: setups that reproduce figures of the lab's source papers.
import type { Preset } from '../api';
import { GAUSSIAN_PRESETS } from './gaussian';
import { PARTICLE_PRESETS } from './particles';
import { MIRROR_PRESETS } from './mirror';
import { GRID_PRESETS } from './grids';
import { NET_PRESETS } from './nets';

export const PRESETS: readonly Preset[] = [...GAUSSIAN_PRESETS, ...PARTICLE_PRESETS, ...MIRROR_PRESETS, ...GRID_PRESETS, ...NET_PRESETS];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
