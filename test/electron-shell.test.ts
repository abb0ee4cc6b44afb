// The Electron shell's policy, under plain Node: the modules under main/electron/ that main.ts wires to Electron
// (security.ts, window-options.ts, ipc-handlers.ts, ipc-envelope.ts, event-forwarder.ts, native-binding.ts,
// menu.ts) import nothing from electron at run time. The built preload is loaded in a vm context with a fake
// 'electron' module, as a sandboxed preload would be.
import { EventEmitter } from 'node:events';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, LAB_METHODS, LabError, ipcChannel, type LabApi, type LabEvent, type RunSummary } from '../src/api';
import { SetupError } from '../src/setup/issues';
import { MAX_ITERATIONS } from '../src/setup/schema';
import { coalesceEvents, createEventForwarder } from '../main/electron/event-forwarder';
import { unwrapIpcResponse, type IpcResponse } from '../main/electron/ipc-envelope';
import { createIpcHandlers, createSenderCheck, parseInput, serializeError, type IpcSender } from '../main/electron/ipc-handlers';
import { menuTemplate } from '../main/electron/menu';
import { ELECTRON_NATIVE_BINDING, ELECTRON_NATIVE_DIR, ELECTRON_NATIVE_STAMP, devNativeBinding } from '../main/electron/native-binding';
import {
  APP_ENTRY_URL, APP_ORIGIN, CONTENT_SECURITY_POLICY, SECURITY_HEADERS, externalUrlToOpen, isAllowedRequestUrl, isAppUrl, isPermissionAllowed, resolveAppRequest,
} from '../main/electron/security';
import { mainWindowOptions, secureWebPreferences } from '../main/electron/window-options';

const root = process.cwd();
const electronFreeModules = ['security.ts', 'window-options.ts', 'ipc-handlers.ts', 'ipc-envelope.ts', 'event-forwarder.ts', 'native-binding.ts', 'menu.ts'];

describe('electron-free modules', () => {
  it('import electron for types only', () => {
    for (const file of electronFreeModules) {
      const source = readFileSync(path.join(root, 'main/electron', file), 'utf8');
      const runtimeElectron = /^\s*import\s+(?!type\b)[^;]*from\s+['"]electron['"]/m.test(source) || /require\(\s*['"]electron['"]\s*\)/.test(source);
      expect(runtimeElectron, `${file} must not load electron at run time`).toBe(false);
    }
  });
});

describe('content security policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('allows no eval, no inline script and no remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('wasm-unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('is sent with every response of the app scheme', () => {
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });

  it('is at least as strict as the renderer meta tag for scripts', () => {
    const html = path.join(root, 'renderer/index.html');
    if (!existsSync(html)) return;
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(html, 'utf8'))?.[1];
    if (meta) expect(meta).not.toContain('unsafe-eval');
  });
});

describe('window options', () => {
  it('isolate, sandbox and keep Node out of the renderer', () => {
    const options = mainWindowOptions('/app/dist/preload/preload.cjs');
    const prefs = options.webPreferences!;
    expect(prefs).toEqual(secureWebPreferences('/app/dist/preload/preload.cjs'));
    expect(prefs.preload).toBe('/app/dist/preload/preload.cjs');
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(options.show).toBe(false);
  });
});

describe('URL policy', () => {
  it('recognizes only the app origin as the app', () => {
    expect(APP_ENTRY_URL.startsWith(`${APP_ORIGIN}/`)).toBe(true);
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://wgf-lab/assets/index-abc.js')).toBe(true);
    for (const url of ['app://evil/index.html', 'app://wgf-lab.evil.com/', 'app://user:pw@wgf-lab/', 'file:///work/dist/renderer/index.html', 'https://wgf-lab/', 'http://127.0.0.1:5173/', '', 'not a url', null, undefined]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });

  it('lets the session load only app, data, blob-of-app and devtools URLs', () => {
    expect(isAllowedRequestUrl('app://wgf-lab/assets/x.css')).toBe(true);
    expect(isAllowedRequestUrl('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequestUrl('blob:app://wgf-lab/0b6c1b0e-8f7e-4b1c-9d1e-1f7a1e2b3c4d')).toBe(true);
    expect(isAllowedRequestUrl('devtools://devtools/bundled/inspector.html')).toBe(true);
    for (const url of ['https://cdn.example.com/x.js', 'http://localhost:5173/', 'ws://localhost:1/', 'file:///etc/passwd', 'blob:https://evil.com/x', 'chrome://gpu', 'app://other/x']) {
      expect(isAllowedRequestUrl(url), url).toBe(false);
    }
  });

  it('denies every permission but clipboard writes by the app itself', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial', 'usb', 'fullscreen', 'fileSystem']) {
      expect(isPermissionAllowed(p, APP_ORIGIN), p).toBe(false);
    }
  });

  it('opens only plain http(s) links in the system browser', () => {
    expect(externalUrlToOpen('https://arxiv.org/abs/1609.03890')).toBe('https://arxiv.org/abs/1609.03890');
    expect(externalUrlToOpen('http://example.org/a b')).toBe('http://example.org/a%20b');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://wgf-lab/', 'https://user:pw@example.org/', 'mailto:a@b.c', 'not a url']) {
      expect(externalUrlToOpen(url), url).toBeNull();
    }
  });
});

describe('app:// request -> file', () => {
  const dir = path.resolve('/srv/app/dist/renderer');

  it('maps paths under dist/renderer with their content types', () => {
    expect(resolveAppRequest('app://wgf-lab/', dir)).toEqual({ ok: true, file: path.join(dir, 'index.html'), contentType: 'text/html; charset=utf-8', spaFallback: false });
    expect(resolveAppRequest('app://wgf-lab/index.html?x=1#y', dir)).toMatchObject({ ok: true, file: path.join(dir, 'index.html') });
    expect(resolveAppRequest('app://wgf-lab/assets/index-1a2b.js', dir)).toMatchObject({ ok: true, file: path.join(dir, 'assets', 'index-1a2b.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppRequest('app://wgf-lab/assets/a.css', dir)).toMatchObject({ contentType: 'text/css; charset=utf-8' });
    expect(resolveAppRequest('app://wgf-lab/assets/font%20x.woff2', dir)).toMatchObject({ ok: true, file: path.join(dir, 'assets', 'font x.woff2'), contentType: 'font/woff2' });
    expect(resolveAppRequest('app://wgf-lab/runs/12', dir)).toMatchObject({ ok: true, spaFallback: true });
    expect(resolveAppRequest('app://wgf-lab/x.bin', dir, 'HEAD')).toMatchObject({ ok: true, contentType: 'application/octet-stream' });
  });

  it('refuses anything that leaves dist/renderer, other hosts and other methods', () => {
    for (const url of [
      'app://wgf-lab/..%2f..%2fetc%2fpasswd',
      'app://wgf-lab/%2e%2e/%2e%2e/etc/passwd',
      'app://wgf-lab/assets/..%5c..%5csecret',
      'app://wgf-lab/a%00.js',
      'app://wgf-lab/%E0%A4%A',
    ]) {
      const r = resolveAppRequest(url, dir);
      if (r.ok) expect(r.file.startsWith(dir + path.sep), url).toBe(true);
      else expect([400, 403]).toContain(r.status);
    }
    expect(resolveAppRequest('app://wgf-lab/..%2f..%2fetc%2fpasswd', dir).ok).toBe(false);
    expect(resolveAppRequest('app://other/index.html', dir)).toEqual({ ok: false, status: 403 });
    expect(resolveAppRequest('file:///etc/passwd', dir)).toEqual({ ok: false, status: 403 });
    expect(resolveAppRequest('app://wgf-lab/index.html', dir, 'POST')).toEqual({ ok: false, status: 405 });
  });
});

/** A LabApi whose methods record their input and answer from `answers` (or throw what is there). */
function fakeService(answers: Partial<Record<keyof LabApi, unknown>> = {}) {
  const calls: [string, unknown][] = [];
  const service = Object.fromEntries(
    LAB_METHODS.map((m) => [m, async (input: unknown) => {
      calls.push([m, input]);
      const a = answers[m];
      if (a instanceof Error) throw a;
      return a;
    }]),
  ) as unknown as LabApi;
  return { service, calls };
}

const trusted: IpcSender = { webContentsId: 7, frameUrl: 'app://wgf-lab/index.html', isMainFrame: true };
const isTrustedSender = createSenderCheck(() => [7]);

describe('IPC sender check', () => {
  it('accepts the main frame of the app window only', () => {
    expect(isTrustedSender(trusted)).toBe(true);
    expect(isTrustedSender({ ...trusted, frameUrl: 'app://wgf-lab/#/runs' })).toBe(true);
    expect(isTrustedSender({ ...trusted, webContentsId: 8 })).toBe(false);
    expect(isTrustedSender({ ...trusted, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...trusted, frameUrl: 'https://evil.example/' })).toBe(false);
    expect(isTrustedSender({ ...trusted, frameUrl: 'file:///work/main/dist/renderer/index.html' })).toBe(false);
    expect(isTrustedSender({ ...trusted, frameUrl: 'app://evil/index.html' })).toBe(false);
    expect(isTrustedSender({ ...trusted, frameUrl: null })).toBe(false);
    expect(createSenderCheck(() => [])(trusted)).toBe(false);
  });

  it('refuses a foreign frame without calling the service', async () => {
    const { service, calls } = fakeService({ info: { version: '1', dbPath: 'x', workers: 1 } });
    const log = vi.fn();
    const handlers = createIpcHandlers(service, { isTrustedSender, log });
    const r = await handlers.info({ webContentsId: 99, frameUrl: 'https://evil.example/', isMainFrame: true }, {});
    expect(r.ok).toBe(false);
    expect(calls).toEqual([]);
    expect(log).toHaveBeenCalledOnce();
    expect(() => unwrapIpcResponse(r)).toThrow(/refused/);
  });
});

describe('IPC handlers', () => {
  it('has one handler per LabApi method', () => {
    const handlers = createIpcHandlers(fakeService().service, { isTrustedSender });
    expect(Object.keys(handlers).sort()).toEqual([...LAB_METHODS].sort());
    expect(new Set(LAB_METHODS.map(ipcChannel)).size).toBe(LAB_METHODS.length);
    expect(LAB_METHODS.map(ipcChannel)).not.toContain(IPC_EVENT_CHANNEL);
  });

  it('passes validated input to the service and returns its value', async () => {
    const { service, calls } = fakeService({ getRun: { id: 3 }, info: { version: '0.1.0', dbPath: '/x', workers: 2 } });
    const handlers = createIpcHandlers(service, { isTrustedSender });
    expect(await handlers.getRun(trusted, { id: 3 })).toEqual({ ok: true, value: { id: 3 } });
    // No argument at all (info()) counts as {}.
    expect(await handlers.info(trusted, undefined)).toEqual({ ok: true, value: { version: '0.1.0', dbPath: '/x', workers: 2 } });
    expect(calls).toEqual([['getRun', { id: 3 }], ['info', {}]]);
  });

  it('names the bad field in validation errors and never calls the service', async () => {
    const { service, calls } = fakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender });
    const cases: [keyof LabApi, unknown, string, RegExp][] = [
      ['getRun', { id: -1 }, 'id', /must be > 0, got -1/],
      ['getRun', { id: 1.5 }, 'id', /integer/],
      ['getRun', {}, 'id', /is required/],
      ['getRun', { id: 1, extra: true }, 'extra', /unknown field; allowed fields here: id/],
      ['listRuns', { status: ['running', 'bogus'] }, 'status[1]', /must be one of/],
      ['getMetrics', { runIds: 'all' }, 'runIds', /must be a list/],
      ['getMetrics', { runIds: [1], maxPoints: 1 }, 'maxPoints', />= 2/],
      ['queueSetup', { setupId: '4' }, 'setupId', /must be/],
      ['saveSetup', { setup: {}, id: 0 }, 'id', /> 0/],
    ];
    for (const [method, input, field, message] of cases) {
      const r = await handlers[method](trusted, input);
      expect(r.ok, `${method} ${JSON.stringify(input)}`).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('invalid');
      expect(r.error.issues.map((i) => i.path)).toContain(field);
      expect(r.error.issues.find((i) => i.path === field)?.message).toMatch(message);
      expect(r.error.message).toContain(`${field}: `);
      expect(r.error.message).toContain(method);
    }
    for (const bad of [null, 42, 'x', []]) {
      const r = await handlers.info(trusted, bad);
      expect(r.ok).toBe(false);
    }
    expect(calls).toEqual([]);
  });

  it('parseInput returns the parsed input', () => {
    expect(parseInput('listRuns', { setupId: 2, status: ['done'] })).toEqual({ setupId: 2, status: ['done'] });
    expect(() => parseInput('deleteSetup', { id: 'x' })).toThrow(LabError);
  });

  it('carries LabError code, message and issues across the envelope', async () => {
    const issues = [{ path: 'scheme.step', message: 'must be > 0, got -1' }];
    const { service } = fakeService({
      getRun: new LabError('not_found', 'run 12 does not exist'),
      saveSetup: new LabError('invalid', 'the setup does not validate', issues),
      validateSetup: new SetupError(issues),
      listSetups: new Error('disk I/O error'),
      listPresets: new TypeError('boom'),
    });
    const log = vi.fn();
    const handlers = createIpcHandlers(service, { isTrustedSender, log });

    const notFound = await handlers.getRun(trusted, { id: 12 });
    expect(notFound).toEqual({ ok: false, error: { code: 'not_found', message: 'run 12 does not exist', issues: [] } });
    // What crosses IPC is a structured clone: the envelope survives it unchanged.
    expect(structuredClone(notFound)).toEqual(notFound);

    const invalid = await handlers.saveSetup(trusted, { setup: {} });
    let thrown: unknown;
    try {
      unwrapIpcResponse(structuredClone(invalid));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LabError);
    expect(thrown).toMatchObject({ code: 'invalid', message: 'the setup does not validate', issues });

    const setupError = await handlers.validateSetup(trusted, { setup: {} });
    expect(setupError).toMatchObject({ ok: false, error: { code: 'invalid', issues } });

    expect(await handlers.listSetups(trusted, {})).toEqual({ ok: false, error: { code: 'internal', message: 'disk I/O error', issues: [] } });
    expect(await handlers.listPresets(trusted, {})).toMatchObject({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(log).toHaveBeenCalledTimes(2);
    expect(log).not.toHaveBeenCalledWith(expect.stringContaining('getRun'));
  });

  it('serializes and unwraps errors of any shape', () => {
    expect(serializeError('plain string')).toEqual({ code: 'internal', message: 'plain string', issues: [] });
    expect(serializeError(undefined)).toEqual({ code: 'internal', message: 'unknown error', issues: [] });
    expect(unwrapIpcResponse({ ok: true, value: [1, 2] })).toEqual([1, 2]);
    expect(() => unwrapIpcResponse(undefined)).toThrow(/malformed/);
    expect(() => unwrapIpcResponse({ ok: false, error: { code: 'weird', message: 'm' } })).toThrow(expect.objectContaining({ code: 'internal', message: 'm' }));
    const r: IpcResponse = { ok: false, error: new LabError('conflict', 'busy').toJSON() };
    expect(() => unwrapIpcResponse(r)).toThrow(expect.objectContaining({ code: 'conflict', message: 'busy' }));
  });
});

const run = (id: number, status: RunSummary['status'] = 'running'): LabEvent => ({ type: 'run', run: { id, status } as RunSummary });
const metrics = (runId: number, it0: number): LabEvent => ({ type: 'metrics', runId, names: ['objective'], iterations: [it0], wallMs: [1], values: [0.5] });

describe('event forwarding', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the events of one interval as one ordered batch', () => {
    const sent: LabEvent[][] = [];
    const fwd = createEventForwarder((b) => sent.push(b), { intervalMs: 50 });
    fwd.push(run(1));
    fwd.push(metrics(1, 0));
    fwd.push(metrics(2, 0));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[run(1), metrics(1, 0), metrics(2, 0)]]);
    fwd.push(metrics(1, 1));
    vi.advanceTimersByTime(50);
    expect(sent).toHaveLength(2);
  });

  it('sends at once when a batch is full, and nothing after close', () => {
    const sent: LabEvent[][] = [];
    const fwd = createEventForwarder((b) => sent.push(b), { intervalMs: 50, maxBatch: 3 });
    for (let i = 0; i < 3; i++) fwd.push(metrics(1, i));
    expect(sent).toHaveLength(1);
    fwd.push(metrics(1, 3));
    fwd.close();
    expect(sent).toEqual([[metrics(1, 0), metrics(1, 1), metrics(1, 2)], [metrics(1, 3)]]);
    fwd.push(metrics(1, 4));
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
  });

  it('drops superseded run states but never a metrics event or the state before metrics', () => {
    const a = run(1, 'queued');
    const b = run(1, 'running');
    const c = run(1, 'done');
    expect(coalesceEvents([a, b, run(2), c])).toEqual([run(2), c]);
    expect(coalesceEvents([a, metrics(1, 0), b, metrics(1, 1), c])).toEqual([a, metrics(1, 0), b, metrics(1, 1), c]);
    expect(coalesceEvents([a, metrics(2, 0), b])).toEqual([metrics(2, 0), b]);
    expect(coalesceEvents([{ type: 'setups' }, a, { type: 'setups' }])).toEqual([a, { type: 'setups' }]);
  });
});

describe('Electron-ABI better-sqlite3 for unpackaged runs', () => {
  let dir: string;
  const runtime = { electron: '38.8.6', platform: 'linux', arch: 'x64' };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wgf-native-'));
    mkdirSync(path.join(dir, 'node_modules/better-sqlite3'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/better-sqlite3/package.json'), JSON.stringify({ version: '12.11.1' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeBuild = (stamp: Record<string, string>) => {
    mkdirSync(path.dirname(path.join(dir, ELECTRON_NATIVE_BINDING)), { recursive: true });
    writeFileSync(path.join(dir, ELECTRON_NATIVE_BINDING), 'binary');
    writeFileSync(path.join(dir, ELECTRON_NATIVE_STAMP), JSON.stringify(stamp));
  };

  it('tells how to build it when it is missing', () => {
    const r = devNativeBinding(dir, runtime);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/npm start.*electron-native\.mjs/);
  });

  it('refuses a build for another Electron or better-sqlite3', () => {
    writeBuild({ electron: '37.0.0', betterSqlite3: '12.11.1', platform: 'linux', arch: 'x64' });
    const r = devNativeBinding(dir, runtime);
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('electron 37.0.0 (need 38.8.6)') });
    writeBuild({ electron: '38.8.6', betterSqlite3: '12.0.0', platform: 'linux', arch: 'x64' });
    expect(devNativeBinding(dir, runtime)).toMatchObject({ ok: false, message: expect.stringContaining('betterSqlite3 12.0.0 (need 12.11.1)') });
  });

  it('returns the binary when the stamp matches', () => {
    writeBuild({ electron: '38.8.6', betterSqlite3: '12.11.1', platform: 'linux', arch: 'x64' });
    expect(devNativeBinding(dir, runtime)).toEqual({ ok: true, path: path.join(dir, ELECTRON_NATIVE_BINDING) });
  });

  it('uses the same paths as scripts/electron-native.mjs, outside node_modules/better-sqlite3', async () => {
    const script = (await import(pathToFileURL(path.join(root, 'scripts/electron-native.mjs')).href)) as Record<string, unknown>;
    expect(script.ELECTRON_NATIVE_DIR).toBe(ELECTRON_NATIVE_DIR);
    expect(script.ELECTRON_NATIVE_BINDING).toBe(ELECTRON_NATIVE_BINDING);
    expect(script.ELECTRON_NATIVE_STAMP).toBe(ELECTRON_NATIVE_STAMP);
    expect(ELECTRON_NATIVE_BINDING.startsWith('node_modules/')).toBe(false);
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toContain(`${ELECTRON_NATIVE_DIR}/`);
  });
});

describe('scripts/electron-native.mjs', () => {
  type Status = { ok: boolean; version?: string; executable?: string; message?: string };
  let electronBinaryStatus: (root: string, env?: Record<string, string | undefined>) => Status;
  let isUpToDate: (root: string, wanted: Record<string, string>) => boolean;
  let dir: string;
  beforeEach(async () => {
    ({ electronBinaryStatus, isUpToDate } = (await import(pathToFileURL(path.join(root, 'scripts/electron-native.mjs')).href)) as {
      electronBinaryStatus: typeof electronBinaryStatus;
      isUpToDate: typeof isUpToDate;
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'wgf-electron-'));
    mkdirSync(path.join(dir, 'node_modules/electron'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/electron/package.json'), JSON.stringify({ name: 'electron', version: '38.8.6' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('explains how to reinstall an Electron installed without its binary', () => {
    const s = electronBinaryStatus(dir, {});
    expect(s.ok).toBe(false);
    expect(s.message).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(s.message).toContain('node node_modules/electron/install.js');
  });

  it('finds an installed binary', () => {
    writeFileSync(path.join(dir, 'node_modules/electron/path.txt'), 'electron');
    mkdirSync(path.join(dir, 'node_modules/electron/dist'));
    writeFileSync(path.join(dir, 'node_modules/electron/dist/electron'), '');
    writeFileSync(path.join(dir, 'node_modules/electron/dist/version'), 'v38.8.6');
    expect(electronBinaryStatus(dir, {})).toEqual({ ok: true, version: '38.8.6', executable: path.join(dir, 'node_modules/electron/dist/electron') });
    writeFileSync(path.join(dir, 'node_modules/electron/dist/version'), '37.1.0');
    expect(electronBinaryStatus(dir, {})).toMatchObject({ ok: false, message: expect.stringContaining('Electron 37.1.0') });
  });

  it('builds in a copy without the Node binary, stamps it, and never touches node_modules/better-sqlite3', async () => {
    const { ensureElectronNative } = (await import(pathToFileURL(path.join(root, 'scripts/electron-native.mjs')).href)) as {
      ensureElectronNative(o: object): Promise<{ ok: boolean; message?: string; method?: string }>;
    };
    const lib = path.join(dir, 'node_modules/better-sqlite3');
    mkdirSync(path.join(lib, 'build/Release'), { recursive: true });
    mkdirSync(path.join(lib, 'lib'), { recursive: true });
    writeFileSync(path.join(lib, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }));
    writeFileSync(path.join(lib, 'lib/index.js'), 'module.exports = 1;');
    writeFileSync(path.join(lib, 'build/Release/better_sqlite3.node'), 'node-abi');
    const seen: string[][] = [];
    const failing = { name: 'first', run: async () => { throw new Error('offline'); } };
    const working = {
      name: 'second',
      run: async ({ moduleDir }: { moduleDir: string }) => {
        seen.push([existsSync(path.join(moduleDir, 'lib/index.js')) ? 'lib' : '', existsSync(path.join(moduleDir, 'build')) ? 'build' : '']);
        mkdirSync(path.join(moduleDir, 'build/Release'), { recursive: true });
        writeFileSync(path.join(moduleDir, 'build/Release/better_sqlite3.node'), 'electron-abi');
      },
    };
    const logs: string[] = [];
    // Electron has no binary here, so the result is "not ok" (with the reinstall message) even though the build worked.
    const r = await ensureElectronNative({ root: dir, nativeOnly: true, builders: [failing, working], log: (m: string) => logs.push(m) });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(seen).toEqual([['lib', '']]);
    expect(readFileSync(path.join(dir, ELECTRON_NATIVE_BINDING), 'utf8')).toBe('electron-abi');
    expect(readFileSync(path.join(lib, 'build/Release/better_sqlite3.node'), 'utf8')).toBe('node-abi');
    expect(JSON.parse(readFileSync(path.join(dir, ELECTRON_NATIVE_STAMP), 'utf8'))).toMatchObject({ electron: '38.8.6', betterSqlite3: '12.11.1', method: 'second', verified: false });
    expect(logs.join('\n')).toContain('first failed: offline');

    const none = await ensureElectronNative({ root: dir, nativeOnly: true, force: true, builders: [failing], log: () => undefined });
    expect(none.ok).toBe(false);
    expect(none.message).toMatch(/Could not get better-sqlite3 built for Electron 38\.8\.6[\s\S]*first: offline[\s\S]*internet/);
    expect(readFileSync(path.join(lib, 'build/Release/better_sqlite3.node'), 'utf8')).toBe('node-abi');
  });

  it('skips the build only when the stamp matches everything', () => {
    const wanted = { electron: '38.8.6', betterSqlite3: '12.11.1', platform: 'linux', arch: 'x64' };
    expect(isUpToDate(dir, wanted)).toBe(false);
    mkdirSync(path.dirname(path.join(dir, ELECTRON_NATIVE_BINDING)), { recursive: true });
    writeFileSync(path.join(dir, ELECTRON_NATIVE_BINDING), '');
    writeFileSync(path.join(dir, ELECTRON_NATIVE_STAMP), JSON.stringify({ ...wanted, method: 'node-gyp' }));
    expect(isUpToDate(dir, wanted)).toBe(true);
    expect(isUpToDate(dir, { ...wanted, arch: 'arm64' })).toBe(false);
  });
});

describe('menu', () => {
  it('has Edit roles everywhere and DevTools only in development', () => {
    const roles = (t: ReturnType<typeof menuTemplate>) => JSON.stringify(t);
    const dev = menuTemplate({ isMac: false, isDev: true, appName: 'WGF Lab' });
    const prod = menuTemplate({ isMac: true, isDev: false, appName: 'WGF Lab' });
    expect(roles(dev)).toContain('toggleDevTools');
    expect(roles(prod)).not.toContain('toggleDevTools');
    for (const t of [dev, prod]) for (const role of ['copy', 'paste', 'selectAll', 'undo']) expect(roles(t)).toContain(`"${role}"`);
    expect(prod[0].label).toBe('WGF Lab');
  });
});

describe('built preload (dist/preload/preload.cjs) in a sandbox-like context', () => {
  const bundle = path.join(root, 'dist/preload/preload.cjs');

  function loadPreload(respond: (channel: string, input: unknown) => unknown) {
    const exposed: Record<string, unknown> = {};
    const invocations: [string, unknown][] = [];
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const ipcRenderer = {
      invoke: async (channel: string, input: unknown) => {
        invocations.push([channel, input]);
        return respond(channel, input);
      },
      on: (channel: string, fn: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener: (channel: string, fn: (...args: unknown[]) => void) => listeners.get(channel)?.delete(fn),
    };
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } }, ipcRenderer };
    const required: string[] = [];
    const fakeRequire = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require "${id}"`);
    };
    const context = vm.createContext({ console, setTimeout, clearTimeout, queueMicrotask, TextEncoder, TextDecoder, URL });
    const wrapper = vm.runInContext(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, context, { filename: bundle }) as (...args: unknown[]) => void;
    const module = { exports: {} };
    wrapper(module.exports, fakeRequire, module, bundle, path.dirname(bundle));
    const emit = (channel: string, payload: unknown) => { for (const fn of listeners.get(channel) ?? []) fn({}, payload); };
    return { exposed, invocations, listeners, required, emit };
  }

  it('requires only electron and exposes exactly the LabApi methods and onEvent', () => {
    const { exposed, required } = loadPreload(() => ({ ok: true, value: null }));
    expect([...new Set(required)]).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['wgfLab']);
    const api = exposed.wgfLab as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...LAB_METHODS, 'onEvent'].sort());
    for (const key of Object.keys(api)) expect(typeof api[key]).toBe('function');
  });

  it('invokes the derived channel and rejects with the LabError as a plain object', async () => {
    const issues = [{ path: 'id', message: 'must be > 0, got -1' }];
    const { exposed, invocations } = loadPreload((channel) =>
      channel === ipcChannel('getRun') ? { ok: false, error: { code: 'invalid', message: 'Invalid input to getRun: id: must be > 0, got -1', issues } } : { ok: true, value: { version: '0.1.0' } },
    );
    const api = exposed.wgfLab as Record<string, (input?: unknown) => Promise<unknown>>;
    expect(await api.info()).toEqual({ version: '0.1.0' });
    let rejection: unknown;
    await api.getRun({ id: -1 }).catch((e: unknown) => { rejection = e; });
    expect(invocations).toEqual([[ipcChannel('info'), {}], [ipcChannel('getRun'), { id: -1 }]]);
    // A plain object (contextBridge would strip custom properties from an Error); the renderer's toLabError rebuilds it.
    expect(JSON.parse(JSON.stringify(rejection))).toEqual({ name: 'LabError', code: 'invalid', message: 'Invalid input to getRun: id: must be > 0, got -1', issues });
    expect(LabError.fromJSON(rejection as { code: string })).toMatchObject({ code: 'invalid', issues });
  });

  it('delivers batched events to each listener and unsubscribes', () => {
    const { exposed, emit, listeners } = loadPreload(() => ({ ok: true, value: null }));
    const api = exposed.wgfLab as { onEvent(fn: (e: LabEvent) => void): () => void };
    const got: LabEvent[] = [];
    const off = api.onEvent((e) => got.push(e));
    emit(IPC_EVENT_CHANNEL, [run(1), metrics(1, 0)]);
    emit(IPC_EVENT_CHANNEL, { type: 'setups' });
    expect(got).toEqual([run(1), metrics(1, 0), { type: 'setups' }]);
    off();
    off();
    expect(listeners.get(IPC_EVENT_CHANNEL)?.size ?? 0).toBe(0);
    emit(IPC_EVENT_CHANNEL, [run(2)]);
    expect(got).toHaveLength(3);
  });
});

/**
 * The built main bundle (dist/main/electron.cjs) driven by a fake 'electron' module under plain Node: the real
 * LabService (Node-ABI better-sqlite3, standing in for the Electron build), the real app:// handler and IPC wiring.
 */
describe('built main process (dist/main/electron.cjs) with a fake electron', () => {
  const bundle = path.join(root, 'dist/main/electron.cjs');

  interface FakeEvent { defaultPrevented: boolean; preventDefault(): void }
  const fakeEvent = (): FakeEvent => ({ defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } });

  function fakeElectron(appPath: string, userData: string) {
    let nextId = 1;
    const ipc = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    const protocols = new Map<string, (request: Request) => Promise<Response>>();
    const windows: FakeWindow[] = [];
    const exits: number[] = [];
    const opened: string[] = [];
    const errors: string[] = [];
    const privileged: unknown[] = [];
    const app = Object.assign(new EventEmitter(), {
      isPackaged: false,
      isReady: () => true,
      whenReady: () => Promise.resolve(),
      getPath: (name: string) => (name === 'userData' ? userData : os.tmpdir()),
      getVersion: () => '0.1.0-test',
      getName: () => 'WGF Lab',
      getAppPath: () => appPath,
      requestSingleInstanceLock: () => true,
      enableSandbox: () => undefined,
      quit: () => { app.emit('will-quit', fakeEvent()); },
      exit: (code = 0) => { exits.push(code); },
    });
    class FakeWebContents extends EventEmitter {
      readonly id = nextId++;
      readonly sent: [string, unknown][] = [];
      windowOpenHandler?: (d: { url: string }) => { action: string };
      send(channel: string, payload: unknown) { this.sent.push([channel, payload]); }
      isDestroyed() { return false; }
      setWindowOpenHandler(h: (d: { url: string }) => { action: string }) { this.windowOpenHandler = h; }
    }
    class FakeWindow extends EventEmitter {
      readonly webContents = new FakeWebContents();
      url?: string;
      constructor(readonly options: { webPreferences: Record<string, unknown> }) {
        super();
        windows.push(this);
        app.emit('web-contents-created', fakeEvent(), this.webContents);
      }
      async loadURL(url: string) { this.url = url; }
      isDestroyed() { return false; }
      isMinimized() { return false; }
      show() {}
      focus() {}
      restore() {}
    }
    const noop = () => undefined;
    const electron = {
      app,
      BrowserWindow: FakeWindow,
      ipcMain: { handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => { ipc.set(channel, fn); } },
      protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => { privileged.push(...schemes); } },
      session: {
        defaultSession: {
          protocol: { handle: (scheme: string, fn: (request: Request) => Promise<Response>) => { protocols.set(scheme, fn); } },
          webRequest: { onBeforeRequest: noop, onHeadersReceived: noop },
          setPermissionRequestHandler: noop,
          setPermissionCheckHandler: noop,
          setDevicePermissionHandler: noop,
        },
      },
      Menu: { setApplicationMenu: noop, buildFromTemplate: (t: unknown) => t },
      dialog: { showErrorBox: (title: string, message: string) => { errors.push(`${title}: ${message}`); } },
      shell: { openExternal: async (url: string) => { opened.push(url); } },
    };
    return { electron, app, ipc, protocols, windows, exits, opened, errors, privileged };
  }

  it('serves the renderer with CSP, wires validated IPC and events, blocks navigation, and closes the service on quit', async () => {
    if (!existsSync(bundle) || !existsSync(path.join(root, 'dist/renderer/index.html'))) throw new Error('run node scripts/build.mjs first');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'wgf-main-'));
    // A stand-in "Electron build" of better-sqlite3: the Node one, at the path scripts/electron-native.mjs writes.
    const appPath = path.join(tmp, 'app');
    const nodeBinary = path.join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    mkdirSync(path.dirname(path.join(appPath, ELECTRON_NATIVE_BINDING)), { recursive: true });
    writeFileSync(path.join(appPath, ELECTRON_NATIVE_BINDING), readFileSync(nodeBinary));
    mkdirSync(path.join(appPath, 'node_modules/better-sqlite3'), { recursive: true });
    const bsVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    writeFileSync(path.join(appPath, 'node_modules/better-sqlite3/package.json'), JSON.stringify({ version: bsVersion }));
    writeFileSync(path.join(appPath, ELECTRON_NATIVE_STAMP), JSON.stringify({ electron: 'n/a', betterSqlite3: bsVersion, platform: process.platform, arch: process.arch }));

    const fake = fakeElectron(appPath, path.join(tmp, 'userData'));
    const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const originalLoad = loader._load;
    const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    loader._load = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? fake.electron : originalLoad.call(this, request, ...rest);
    };
    const req = createRequire(import.meta.url);
    try {
      req(bundle);
      const deadline = Date.now() + 20_000;
      while (fake.windows.length === 0 || !fake.windows[0].url) {
        if (fake.errors.length || fake.exits.length) throw new Error(`startup failed: ${fake.errors.join('; ')} exits ${fake.exits.join(',')}`);
        if (Date.now() > deadline) throw new Error('the window was never created');
        await new Promise((r) => setTimeout(r, 20));
      }
      const [win] = fake.windows;
      const contents = win.webContents;

      // Scheme, window and page.
      expect(fake.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
      expect(fake.privileged).not.toContainEqual(expect.objectContaining({ privileges: expect.objectContaining({ bypassCSP: true }) }));
      expect(win.url).toBe(APP_ENTRY_URL);
      expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
      expect(win.options.webPreferences.preload).toBe(path.join(root, 'dist/preload/preload.cjs'));
      expect(existsSync(win.options.webPreferences.preload as string)).toBe(true);

      // app:// serves dist/renderer with the CSP header, and nothing outside it.
      const serve = fake.protocols.get('app')!;
      const page = await serve(new Request(APP_ENTRY_URL));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<div id="app">');
      expect((await serve(new Request('app://wgf-lab/..%2f..%2fpackage.json'))).status).toBe(403);
      expect((await serve(new Request('app://wgf-lab/missing.js'))).status).toBe(404);

      // IPC: one handler per method, sender checked, input validated, LabError envelopes.
      expect([...fake.ipc.keys()].sort()).toEqual(LAB_METHODS.map(ipcChannel).sort());
      const fromWindow = { sender: contents, senderFrame: { url: APP_ENTRY_URL, parent: null } };
      const call = (method: keyof LabApi, input: unknown, event: unknown = fromWindow) => fake.ipc.get(ipcChannel(method))!(event, input) as Promise<IpcResponse>;
      expect(await call('info', {})).toMatchObject({ ok: true, value: { version: '0.1.0-test', dbPath: path.join(tmp, 'userData', 'wgflab.sqlite') } });
      expect(await call('info', {}, { sender: { id: 999 }, senderFrame: { url: APP_ENTRY_URL, parent: null } })).toMatchObject({ ok: false });
      expect(await call('info', {}, { sender: contents, senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false });
      const bad = await call('getRun', { id: 'seven' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', issues: [expect.objectContaining({ path: 'id' })] } });
      expect(await call('getRun', { id: 424242 })).toMatchObject({ ok: false, error: { code: 'not_found' } });

      // Events reach the window in batches on IPC_EVENT_CHANNEL.
      const presets = await call('listPresets', {});
      expect(presets.ok).toBe(true);
      const preset = (presets as { value: { setup: unknown }[] }).value[0];
      // As many iterations as allowed, so that its runs are still going when the app quits.
      const saved = await call('saveSetup', { setup: { ...(preset.setup as object), iterations: MAX_ITERATIONS } });
      expect(saved).toMatchObject({ ok: true, value: { id: expect.any(Number) } });
      await new Promise((r) => setTimeout(r, 120));
      const batches = contents.sent.filter(([channel]) => channel === IPC_EVENT_CHANNEL).map(([, batch]) => batch as LabEvent[]);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.every(Array.isArray)).toBe(true);
      expect(batches.flat()).toContainEqual({ type: 'setups' });

      // Navigation and new windows: never inside the app; web links go to the system browser.
      const nav = fakeEvent();
      contents.emit('will-navigate', nav, 'https://example.org/paper');
      expect(nav.defaultPrevented).toBe(true);
      const fileNav = fakeEvent();
      contents.emit('will-navigate', fileNav, 'file:///etc/passwd');
      expect(fileNav.defaultPrevented).toBe(true);
      expect(contents.windowOpenHandler!({ url: 'https://arxiv.org/abs/1' })).toEqual({ action: 'deny' });
      expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
      await new Promise((r) => setTimeout(r, 0));
      expect(fake.opened).toEqual(['https://example.org/paper', 'https://arxiv.org/abs/1']);
      const webview = fakeEvent();
      contents.emit('will-attach-webview', webview);
      expect(webview.defaultPrevented).toBe(true);

      // Queue the setup and quit while its runs are in flight.
      const setupId = (saved as { value: { id: number } }).value.id;
      expect(await call('queueSetup', { setupId })).toMatchObject({ ok: true, value: { runIds: expect.any(Array) } });
      const runDeadline = Date.now() + 20_000;
      const sentEvents = () => contents.sent.filter(([channel]) => channel === IPC_EVENT_CHANNEL).flatMap(([, batch]) => batch as LabEvent[]);
      while (!sentEvents().some((e) => e.type === 'run' && e.run.status === 'running') && Date.now() < runDeadline) await new Promise((r) => setTimeout(r, 20));
      expect(sentEvents().some((e) => e.type === 'run')).toBe(true);

      // Quit: the service closes (running runs become interrupted), then the process exits with 0.
      const quit = fakeEvent();
      fake.app.emit('will-quit', quit);
      expect(quit.defaultPrevented).toBe(true);
      const quitDeadline = Date.now() + 20_000;
      while (fake.exits.length === 0 && Date.now() < quitDeadline) await new Promise((r) => setTimeout(r, 20));
      expect(fake.exits).toEqual([0]);
      expect(fake.errors).toEqual([]);
      const Database = req('better-sqlite3') as new (file: string, opts: object) => { prepare(sql: string): { pluck(): { all(): string[] } }; close(): void };
      const db = new Database(path.join(tmp, 'userData', 'wgflab.sqlite'), { readonly: true });
      const statuses = db.prepare('SELECT status FROM runs').pluck().all();
      db.close();
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses).not.toContain('running');
      expect(statuses).toContain('interrupted');
    } finally {
      loader._load = originalLoad;
      delete req.cache[bundle];
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        for (const l of process.listeners(signal)) if (!signalListeners[signal].includes(l)) process.removeListener(signal, l);
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
