// The renderer's one typed client: LabApi + event subscription, over the Electron preload bridge when present,
// else over HTTP + server-sent events (browser mode, token from the URL or sessionStorage).
import type { LabApi, LabEvent } from '../../../src/api';
import { createHttpClient, readAccessToken } from './http';
import { createBridgeClient } from './bridge';
export { toLabError } from './errors';

export type LabClient = LabApi & {
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void;
  /** Called when the event stream reconnected after a break (events may have been missed: reload state). */
  onReconnect(listener: () => void): () => void;
  /** "electron" or "http". */
  readonly transport: 'electron' | 'http';
};

let client: LabClient | undefined;

export function labClient(): LabClient {
  if (client) return client;
  const bridge = typeof window !== 'undefined' ? window.wgfLab : undefined;
  client = bridge ? createBridgeClient(bridge) : createHttpClient(readAccessToken());
  return client;
}
