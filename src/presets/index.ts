// Built-in presets: setups that reproduce figures of the lab's source papers.
import type { Preset } from '../api';
import { GAUSSIAN_PRESETS } from './gaussian';

export const PRESETS: readonly Preset[] = [...GAUSSIAN_PRESETS];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
