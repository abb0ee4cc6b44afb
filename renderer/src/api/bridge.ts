// Transport 1: the Electron preload bridge (window.wgfLab), one named async function per LabApi method.
import { LAB_METHODS, type LabApi, type LabMethod } from '../../../src/api';
import type { LabClient } from './client';
import { toLabError } from './errors';

export function createBridgeClient(bridge: WgfLabBridge): LabClient {
  const call = async (method: LabMethod, input: unknown): Promise<unknown> => {
    try {
      return await (bridge[method] as (i: unknown) => Promise<unknown>)(input ?? {});
    } catch (err) {
      throw toLabError(err);
    }
  };
  const api = Object.fromEntries(LAB_METHODS.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as LabApi;
  // IPC events cannot be missed while the window lives: nothing to reconnect.
  return { ...api, onEvent: (listener) => bridge.onEvent(listener), onReconnect: () => () => undefined, transport: 'electron' };
}
