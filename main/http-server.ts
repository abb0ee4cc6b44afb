// Browser mode: serves the renderer and the LabApi over HTTP + server-sent events on 127.0.0.1 only.
// Every API request carries the access token (Authorization: Bearer <token>, or ?token= for EventSource);
// inputs are validated with LabApiInputs (the same schemas as the Electron IPC handlers).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { HTTP_EVENTS_ROUTE, LabError, LAB_METHODS, type LabApi, type LabErrorCode, type LabEvent, type LabMethod } from '../src/api';
import { LabApiInputs } from '../src/api-inputs';
import { issuesFromZod } from '../src/setup/issues';
import { CONTENT_SECURITY_POLICY, contentTypeOf } from './renderer-assets';

export interface LabHttpServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free port. */
  readonly port?: number;
  /** Directory of the built renderer (dist/renderer). */
  readonly staticDir: string;
  /** Access token; 32 random bytes (hex) by default. */
  readonly token?: string;
  /** Where request failures are logged (default: stderr). */
  readonly log?: (line: string) => void;
}

export interface LabHttpServer {
  /** Page URL including the token, e.g. http://127.0.0.1:5173/?token=... */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export type LabApiWithEvents = LabApi & { onEvent(listener: (e: LabEvent) => void): () => void };

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;
/** An event stream whose client reads slower than this backlog is closed; EventSource reconnects and the page reloads its state. */
const MAX_SSE_BACKLOG_BYTES = 64 * 1024 * 1024;

/** The renderer's policy, shared with the Electron shell (main/renderer-assets.ts). */
export { CONTENT_SECURITY_POLICY };


const STATUS_OF: Record<LabErrorCode, number> = { invalid: 400, not_found: 404, conflict: 409, internal: 500 };

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body === undefined ? null : body);
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Arrays longer than this (e.g. the series of a Compare) are written element by element, in time slices
 *  (WGFLAB_HTTP_STREAM_ITEMS=Infinity turns it off: the benchmark's baseline). */
const STREAM_ARRAY_ITEMS = Number(process.env.WGFLAB_HTTP_STREAM_ITEMS) || 16;
const STREAM_SLICE_MS = 8;

/**
 * A large array answer as chunked JSON: each element is serialized and written on its own, yielding to the
 * event loop every few milliseconds and waiting when the socket's buffer is full, so that one large answer
 * does not hold up the small requests of other clients.
 */
async function sendJsonArray(res: ServerResponse, items: readonly unknown[]): Promise<void> {
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  let until = performance.now() + STREAM_SLICE_MS;
  res.write('[');
  for (let i = 0; i < items.length; i++) {
    if (res.destroyed) return;
    const ok = res.write(`${i ? ',' : ''}${JSON.stringify(items[i] === undefined ? null : items[i])}`);
    if (!ok) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    if (performance.now() > until) {
      await new Promise<void>((r) => setImmediate(r));
      until = performance.now() + STREAM_SLICE_MS;
    }
  }
  res.end(']');
}

function sendError(res: ServerResponse, status: number, code: LabErrorCode | 'unauthorized' | 'method_not_allowed' | 'too_large' | 'bad_host', message: string, issues: readonly unknown[] = []): void {
  sendJson(res, status, { error: { code, message, issues } });
}

function tokenMatches(expected: Buffer, given: string | null | undefined): boolean {
  if (!given) return false;
  const got = Buffer.from(given, 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A request body over MAX_BODY_BYTES is read to its end (and dropped) up to this much, then the connection is cut. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

/**
 * The request body as text, or `too_large` once it passes MAX_BODY_BYTES. The rest is read and dropped, so
 * that the client gets the 413 answer instead of a connection reset (an unread body makes TCP reset).
 */
function readBody(req: IncomingMessage): Promise<string | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Resolves a URL path inside root, or undefined when it would leave root (.., encoded slashes, NUL). */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = path.posix.normalize(`/${decoded}`).replace(/^\/+/, '');
  if (rel.split('/').includes('..')) return undefined;
  const file = path.resolve(root, rel || 'index.html');
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  return file === root || file.startsWith(rootWithSep) ? file : undefined;
}

export async function startLabHttpServer(api: LabApiWithEvents, opts: LabHttpServerOptions): Promise<LabHttpServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token, 'utf8');
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const staticRoot = await realpath(path.resolve(opts.staticDir)).catch(() => path.resolve(opts.staticDir));
  const methods = new Set<string>(LAB_METHODS);
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const hostAllowed = (host: string | undefined): boolean =>
    host === `${HOST}:${port}` || host === `localhost:${port}`;

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    // The query form exists for EventSource, which cannot set headers; calls must use the header.
    const fromQuery = url.pathname === HTTP_EVENTS_ROUTE ? url.searchParams.get('token') : null;
    if (!tokenMatches(tokenBuf, bearer ?? fromQuery)) {
      sendError(res, 401, 'unauthorized', 'missing or wrong access token: open the URL printed by `npm run serve` (it ends in ?token=...)');
      return;
    }
    if (url.pathname === HTTP_EVENTS_ROUTE) {
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        sendError(res, 405, 'method_not_allowed', `${HTTP_EVENTS_ROUTE} accepts GET only`);
        return;
      }
      openEventStream(req, res);
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    if (!methods.has(method)) {
      sendError(res, 404, 'not_found', `unknown API method "${method}"; methods: ${LAB_METHODS.join(', ')}`);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, 'method_not_allowed', `/api/${method} accepts POST with a JSON body`);
      return;
    }
    const raw = await readBody(req);
    if (raw === 'too_large') {
      res.setHeader('Connection', 'close');
      sendError(res, 413, 'too_large', `request body larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB; send less (a setup is a few kilobytes)`);
      return;
    }
    let body: unknown;
    try {
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (err) {
      sendError(res, 400, 'invalid', `request body is not valid JSON: ${(err as Error).message}`);
      return;
    }
    const schema = LabApiInputs[method as LabMethod];
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = issuesFromZod(parsed.error, schema, body);
      sendError(res, 400, 'invalid', `invalid input to ${method}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
      return;
    }
    try {
      const fn = api[method as LabMethod] as (input: unknown) => Promise<unknown>;
      const result = await fn.call(api, parsed.data);
      if (Array.isArray(result) && result.length > STREAM_ARRAY_ITEMS) await sendJsonArray(res, result);
      else sendJson(res, 200, result);
    } catch (err) {
      if (err instanceof LabError) {
        if (err.code === 'internal') log(`${method}: ${err.stack ?? err.message}`);
        sendError(res, STATUS_OF[err.code], err.code, err.message, err.issues);
      } else {
        log(`${method} failed: ${(err as Error)?.stack ?? String(err)}`);
        sendError(res, 500, 'internal', `${method} failed: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\nretry: 2000\n\n');
    sseClients.add(res);
    const unsubscribe = api.onEvent((event) => {
      if (res.writableLength > MAX_SSE_BACKLOG_BYTES) {
        log(`event stream client too slow (${res.writableLength} bytes queued); closing it`);
        cleanup();
        res.end();
        return;
      }
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const cleanup = () => {
      clearInterval(timer);
      unsubscribe();
      sseClients.delete(res);
    };
    req.on('close', cleanup);
    res.on('error', cleanup);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed');
      return;
    }
    const file = resolveStaticPath(staticRoot, url.pathname);
    const notFound = () => {
      res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found');
    };
    if (!file) return notFound();
    let target = file;
    let info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) {
      target = path.join(target, 'index.html');
      info = await stat(target).catch(() => undefined);
    }
    if (!info?.isFile()) return notFound();
    // Symlinks must not lead out of the static root either.
    const real = await realpath(target).catch(() => undefined);
    if (!real || !(real.startsWith(staticRoot + path.sep))) return notFound();
    const ext = path.extname(target).toLowerCase();
    const isHtml = ext === '.html';
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': contentTypeOf(target),
      'Content-Length': info.size,
      // Hashed assets may be cached; the page is always revalidated.
      'Cache-Control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
      ...(isHtml ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Frame-Options': 'DENY' } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(target).on('error', () => res.destroy()).pipe(res);
  }

  const server = createServer((req, res) => {
    // Reject other host names (DNS rebinding): only 127.0.0.1:<port> and localhost:<port> address this server.
    if (!hostAllowed(req.headers.host)) {
      sendError(res, 421, 'bad_host', `this server answers to http://${HOST}:${port} only`);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const work = url.pathname === '/api' || url.pathname.startsWith('/api/') ? handleApi(req, res, url) : handleStatic(req, res, url);
    work.catch((err: unknown) => {
      log(`request ${req.method} ${url.pathname} failed: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal', 'internal server error');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of sseClients) res.end();
        sseClients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
