// Transport 2 (browser mode): POST /api/<method> with a bearer token, events over EventSource (/api/events?token=).
import { HTTP_EVENTS_ROUTE, LabError, LAB_METHODS, httpRoute, type LabApi, type LabEvent, type LabMethod } from '../../../src/api';
import type { LabClient } from './client';

const TOKEN_KEY = 'wgf-lab-token';

/** Reads ?token= from the page URL (then removes it from the address bar), else sessionStorage. */
export function readAccessToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const NO_TOKEN = 'no access token: open the URL that `npm run serve` printed (it ends in ?token=...)';

export function createHttpClient(token: string | null): LabClient {
  const call = async (method: LabMethod, input: unknown): Promise<unknown> => {
    if (!token) throw new LabError('invalid', NO_TOKEN);
    let res: Response;
    try {
      res = await fetch(httpRoute(method), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch (err) {
      throw new LabError('internal', `the lab server does not answer (${(err as Error).message}); is \`npm run serve\` still running?`);
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new LabError('internal', `${method}: the server answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string; issues?: [] } } | null)?.error ?? {};
      if (res.status === 401) throw new LabError('invalid', e.message ?? NO_TOKEN);
      throw LabError.fromJSON({ ...e, code: e.code ?? 'internal', message: e.message ?? `${method} failed with HTTP ${res.status}` });
    }
    return body;
  };
  const api = Object.fromEntries(LAB_METHODS.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as LabApi;

  const listeners = new Set<(event: LabEvent) => void>();
  const reconnectListeners = new Set<() => void>();
  let source: EventSource | null = null;
  let broken = false;
  const ensureSource = () => {
    if (source || !token) return;
    source = new EventSource(`${HTTP_EVENTS_ROUTE}?token=${encodeURIComponent(token)}`);
    source.onmessage = (msg: MessageEvent<string>) => {
      let event: LabEvent;
      try {
        event = JSON.parse(msg.data) as LabEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
    // EventSource reconnects by itself; whatever happened in between is reloaded by the listeners.
    source.onerror = () => {
      broken = true;
    };
    source.onopen = () => {
      if (!broken) return;
      broken = false;
      for (const l of reconnectListeners) l();
    };
  };
  const onEvent = (listener: (event: LabEvent) => void) => {
    listeners.add(listener);
    ensureSource();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && source) {
        source.close();
        source = null;
      }
    };
  };
  const onReconnect = (listener: () => void) => {
    reconnectListeners.add(listener);
    return () => {
      reconnectListeners.delete(listener);
    };
  };
  return { ...api, onEvent, onReconnect, transport: 'http' };
}
