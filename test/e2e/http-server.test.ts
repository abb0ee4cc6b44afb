// Browser-mode server security: the real server (dist/node/serve.mjs, real LabService and SQLite) answers on
// 127.0.0.1 only, requires the token on every API call, validates inputs, and serves no file outside its root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { startServer, type LabServer } from './harness';

let server: LabServer;
beforeAll(async () => {
  server = await startServer({ workers: 1 });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await server?.dispose();
});

/** A raw request (fetch would normalize the path and refuse to set Host). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser-mode server', () => {
  it('prints a 127.0.0.1 URL with a 32-byte hex token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('rejects API requests without the right token (401)', async () => {
    const none = await fetch(`${server.origin}/api/info`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/token/);
    const wrong = await fetch(`${server.origin}/api/info`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${'0'.repeat(64)}` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.origin}/api/events`)).status).toBe(401);
    // ?token= is for the event stream only; calls need the header.
    expect((await fetch(`${server.origin}/api/info?token=${server.token}`, { method: 'POST', body: '{}' })).status).toBe(401);
    const ok = await fetch(`${server.origin}/api/info`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { dbPath: string }).dbPath).toBe(server.dbPath);
  });

  it('streams events over SSE with ?token=', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${server.origin}/api/events?token=${server.token}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^: connected/);
    ctrl.abort();
  });

  it('validates inputs and maps errors to 400 / 404 / 405', async () => {
    const auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
    const bad = await raw('/api/getRun', auth, 'POST', '{"id":-1}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'invalid', issues: [{ path: 'id' }] });
    const missing = await raw('/api/getRun', auth, 'POST', '{"id":12345}');
    expect(missing.status).toBe(404);
    expect((await raw('/api/nope', auth, 'POST', '{}')).status).toBe(404);
    expect((await raw('/api/info', auth, 'GET')).status).toBe(405);
    expect((await raw('/api/info', auth, 'POST', '{not json')).status).toBe(400);
    const invalidSetup = await raw('/api/saveSetup', auth, 'POST', JSON.stringify({ setup: { name: 'x' } }));
    expect(invalidSetup.status).toBe(400);
    expect(JSON.parse(invalidSetup.body).error.issues.length).toBeGreaterThan(0);
  });

  it('serves the page with a strict CSP and no file outside the static root', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const js = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(js).toBeTruthy();
    expect((await raw(`/${js}`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const p of ['/../../etc/passwd', '/assets/../../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/..%5c..%5cpackage.json']) {
      expect((await raw(p)).status, p).toBe(404);
    }
  });

  it('answers only to its own host name (DNS rebinding)', async () => {
    expect((await raw('/', { Host: 'evil.example:80' })).status).toBe(421);
    expect((await raw('/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('binds 127.0.0.1 only', async () => {
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    const connects = (host: string) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect({ host, port: server.port, timeout: 2000 }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
        s.on('timeout', () => {
          s.destroy();
          resolve(false);
        });
      });
    expect(await connects('127.0.0.1')).toBe(true);
    if (external) expect(await connects(external)).toBe(false);
    expect(await connects('::1')).toBe(false);
  });

  it('answers a 50 MB request body with 413 and a message, not a connection reset, and goes on serving', async () => {
    const body = JSON.stringify({ setup: { name: 'x'.repeat(50 * 1024 * 1024) } });
    const res = await fetch(`${server.origin}/api/saveSetup`, { method: 'POST', body, headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' } });
    expect(res.status).toBe(413);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error).toMatchObject({ code: 'too_large' });
    expect(json.error.message).toMatch(/larger than 16 MB/);
    // Chunked, without a Content-Length: the same answer.
    const stream = new ReadableStream({ start(c) { for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(1024 * 1024)); c.close(); } });
    const chunked = await fetch(`${server.origin}/api/saveSetup`, { method: 'POST', body: stream, duplex: 'half', headers: { Authorization: `Bearer ${server.token}` } } as RequestInit);
    expect(chunked.status).toBe(413);
    const ok = await fetch(`${server.origin}/api/info`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
  });
});
