// Sandboxed preload: exposes window.wgfLab, one named async function per LabApi method plus onEvent. Never exposes
// ipcRenderer itself, nor any channel not derived from the LabApi. Under sandbox: true a preload may only require
// 'electron'; scripts/build.mjs bundles src/api.ts (and zod, which it imports) into dist/preload/preload.cjs.
//
// Errors: the main process answers every call with an IpcResponse envelope. A failed call rejects with the LabError
// as a plain object { name: 'LabError', code, message, issues } rather than as an Error instance, because
// contextBridge copies an Error's message only and drops custom properties; a plain object crosses intact, and the
// renderer's toLabError() turns it back into a LabError.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, LAB_METHODS, LabError, ipcChannel, type LabApi, type LabEvent, type LabMethod } from '../../src/api';
import { unwrapIpcResponse } from './ipc-envelope';

export type WgfLabBridge = LabApi & { onEvent(listener: (event: LabEvent) => void): () => void };

const asPlainError = (err: unknown) => {
  const e = err instanceof LabError ? err : new LabError('internal', err instanceof Error ? err.message : String(err));
  return { name: 'LabError', code: e.code, message: e.message, issues: e.issues.map((i) => ({ path: i.path, message: i.message })) };
};

const invoke = async (method: LabMethod, input: unknown): Promise<unknown> => {
  let response: unknown;
  try {
    response = await ipcRenderer.invoke(ipcChannel(method), input ?? {});
  } catch (err) {
    throw asPlainError(err);
  }
  try {
    return unwrapIpcResponse(response);
  } catch (err) {
    throw asPlainError(err);
  }
};

const listeners = new Set<(event: LabEvent) => void>();
let subscribed = false;

const dispatch = (_event: IpcRendererEvent, payload: unknown) => {
  const events = Array.isArray(payload) ? payload : [payload];
  for (const e of events) {
    if (!e || typeof e !== 'object') continue;
    for (const listener of [...listeners]) {
      try {
        listener(e as LabEvent);
      } catch (err) {
        console.error('wgfLab event listener failed', err);
      }
    }
  }
};

function onEvent(listener: (event: LabEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent expects a function');
  listeners.add(listener);
  if (!subscribed) {
    ipcRenderer.on(IPC_EVENT_CHANNEL, dispatch);
    subscribed = true;
  }
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    listeners.delete(listener);
    if (listeners.size === 0 && subscribed) {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, dispatch);
      subscribed = false;
    }
  };
}

const bridge: Record<string, unknown> = { onEvent };
for (const method of LAB_METHODS) bridge[method] = (input?: unknown) => invoke(method, input);

contextBridge.exposeInMainWorld('wgfLab', bridge);
