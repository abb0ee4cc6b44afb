// Lab-wide state shared by the views: server info (db path), saved setups, presets, and the error banner.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabInfo, Preset, SetupRecord } from '../../../src/api';
import { labClient } from '../api/client';
import { errorText } from '../api/errors';

export const useLabStore = defineStore('lab', () => {
  const client = labClient();
  const info = ref<LabInfo | null>(null);
  const setups = ref<SetupRecord[]>([]);
  const presets = ref<Preset[]>([]);
  /** A failure that is not tied to one field (connection, token, server error), in words. */
  const banner = ref<string | null>(null);

  const report = (err: unknown, what: string) => {
    banner.value = `${what}: ${errorText(err)}`;
  };

  async function refreshSetups(): Promise<void> {
    try {
      setups.value = await client.listSetups();
    } catch (err) {
      report(err, 'Could not load the saved setups');
    }
  }

  async function init(): Promise<void> {
    try {
      const [i, p] = await Promise.all([client.info(), client.listPresets()]);
      info.value = i;
      presets.value = p;
    } catch (err) {
      report(err, 'Could not reach the lab');
      return;
    }
    await refreshSetups();
    client.onEvent((e) => {
      if (e.type === 'setups') void refreshSetups();
    });
    client.onReconnect(() => {
      banner.value = null;
      void refreshSetups();
    });
  }

  return { client, info, setups, presets, banner, report, refreshSetups, init };
});
