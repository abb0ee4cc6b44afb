// Electron main process: a thin shell around LabService. Policy lives in electron-free modules that plain-Node
// tests cover: security.ts (CSP, app:// origin, allowed URLs, request -> file), window-options.ts (webPreferences),
// ipc-handlers.ts (sender check, zod validation, LabError envelopes), event-forwarder.ts (batched events),
// native-binding.ts (Electron-ABI better-sqlite3 for unpackaged runs), menu.ts.
//
// The renderer is served from app://wgf-lab/ (protocol.handle) instead of file://: a fixed origin for the IPC
// sender check and for CSP 'self', the CSP header on every response, no file:// privileges, and no way to read a
// file outside dist/renderer.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { IPC_EVENT_CHANNEL, LAB_METHODS, ipcChannel } from '../../src/api';
import { LabService } from '../lab-service';
import { defaultDbPath, findWorkerFile } from '../paths';
import { createEventForwarder, type EventForwarder } from './event-forwarder';
import { createIpcHandlers, createSenderCheck, type IpcSender } from './ipc-handlers';
import { menuTemplate } from './menu';
import { devNativeBinding } from './native-binding';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  externalUrlToOpen,
  isAllowedRequestUrl,
  isAppUrl,
  isPermissionAllowed,
  resolveAppRequest,
} from './security';
import { mainWindowOptions } from './window-options';

const log = (message: string) => process.stderr.write(`[wgf-lab] ${message}\n`);

// dist/main/electron.cjs -> dist/preload/preload.cjs, dist/renderer/ (inside app.asar when packaged).
const preloadPath = path.join(__dirname, '..', 'preload', 'preload.cjs');
const rendererDir = path.join(__dirname, '..', 'renderer');

let mainWindow: BrowserWindow | null = null;
let service: LabService | null = null;
let forwarder: EventForwarder | null = null;

// Must run before 'ready'. standard + secure: a real origin and a secure context; supportFetchAPI/corsEnabled let
// Vite's <script type="module" crossorigin> load from it; codeCache keeps V8's compiled scripts (the ECharts
// chunk) between launches. No bypassCSP.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
]);
// Every renderer sandboxed, whatever its webPreferences say.
app.enableSandbox();

/** Startup failure already shown to the user. */
class FatalError extends Error {}

function fatal(title: string, message: string): never {
  log(`${title}: ${message}`);
  if (app.isReady()) dialog.showErrorBox(title, message);
  throw new FatalError(message);
}

/** Serves dist/renderer on app://wgf-lab/ with the security headers on every response. */
function serveRenderer(ses: Session): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const target = resolveAppRequest(request.url, rendererDir, request.method);
    if (!target.ok) return new Response(null, { status: target.status, headers: SECURITY_HEADERS });
    let file = target.file;
    let contentType = target.contentType;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (!target.spaFallback) return new Response(null, { status: 404, headers: SECURITY_HEADERS });
      file = path.join(rendererDir, 'index.html');
      contentType = 'text/html; charset=utf-8';
      try {
        body = await readFile(file);
      } catch {
        return new Response(null, { status: 404, headers: SECURITY_HEADERS });
      }
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-cache' },
    });
  });
}

/** Session-wide policy: no remote requests, CSP on any response, every permission denied but clipboard writes by the app. */
function hardenSession(ses: Session): void {
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url);
    if (!allowed) log(`blocked request to ${details.url}`);
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    // DevTools' own pages (development only) keep their policy; everything else gets ours.
    if (details.url.startsWith('devtools:')) {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(details.responseHeaders ?? {})) {
      if (key.toLowerCase() !== 'content-security-policy') headers[key] = value;
    }
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl ?? contents?.getURL());
    if (!allowed) log(`denied permission request: ${permission} from ${details.requestingUrl ?? 'unknown origin'}`);
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
}

/** Every webContents: no navigation away from app://wgf-lab, no new windows, no <webview>. */
function lockDownContents(contents: WebContents): void {
  const openExternally = (url: string) => {
    const external = externalUrlToOpen(url);
    if (external) void shell.openExternal(external).catch((err: unknown) => log(`could not open ${external}: ${String(err)}`));
    else log(`blocked navigation to ${url}`);
  };
  contents.on('will-navigate', (event, url) => {
    // Reloads of our own page are harmless; a link to the web goes to the system browser, never into the window.
    if (isAppUrl(url)) return;
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

function senderOf(event: IpcMainInvokeEvent): IpcSender {
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url ?? null, isMainFrame: !!frame && frame.parent === null };
}

function registerIpc(lab: LabService): void {
  const isTrustedSender = createSenderCheck(() => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents.id] : []));
  const handlers = createIpcHandlers(lab, { isTrustedSender, log });
  for (const method of LAB_METHODS) {
    ipcMain.handle(ipcChannel(method), (event, input: unknown) => handlers[method](senderOf(event), input));
  }
}

function sendEvents(batch: unknown[]): void {
  const win = mainWindow;
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
  win.webContents.send(IPC_EVENT_CHANNEL, batch);
}

async function createWindow(): Promise<void> {
  const win = new BrowserWindow(mainWindowOptions(preloadPath, app.getName()));
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win.webContents.on('render-process-gone', (_event, details) => log(`renderer gone: ${details.reason} (exit code ${details.exitCode})`));
  win.webContents.on('preload-error', (_event, file, error) => log(`preload ${file} failed: ${error.stack ?? error.message}`));
  await win.loadURL(APP_ENTRY_URL);
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Closes the service (running runs become "interrupted") before the process exits; at most 15 s. */
function installQuitHandling(): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('will-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    forwarder?.close();
    const timer = setTimeout(() => {
      log('the lab service did not close within 15 s; exiting');
      state = 'closed';
      app.exit(1);
    }, 15_000);
    Promise.resolve(service?.close())
      .catch((err: unknown) => log(`closing the lab service failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
      .finally(() => {
        clearTimeout(timer);
        if (state === 'closed') return;
        state = 'closed';
        app.exit(0);
      });
  });
  // Ctrl+C in the terminal of `npm start`, or a service manager: quit through the same path.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

async function startService(): Promise<LabService> {
  let nativeBinding: string | undefined;
  if (!app.isPackaged) {
    // Unpackaged: node_modules holds better-sqlite3 built for Node (for the tests); use the Electron-ABI copy.
    const found = devNativeBinding(app.getAppPath(), { electron: process.versions.electron, platform: process.platform, arch: process.arch });
    if (!found.ok) fatal('WGF Lab cannot open its database', found.message);
    nativeBinding = found.path;
  }
  const dbPath = defaultDbPath(app.getPath('userData'));
  mkdirSync(path.dirname(dbPath), { recursive: true });
  const lab = new LabService({ dbPath, workerFile: findWorkerFile(__dirname), appVersion: app.getVersion(), nativeBinding, kind: 'app' });
  try {
    await lab.start();
  } catch (err) {
    fatal('WGF Lab could not start', `${err instanceof Error ? err.message : String(err)}\n\nDatabase: ${dbPath}`);
  }
  log(`database ${dbPath}`);
  return lab;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', focusWindow);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('window-all-closed', () => {
    // macOS convention: the app (and its running runs) stay alive until Quit.
    if (process.platform !== 'darwin') app.quit();
  });
  installQuitHandling();

  await app.whenReady();
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    fatal('WGF Lab is not built', `${path.join(rendererDir, 'index.html')} is missing. Run \`node scripts/build.mjs\` (npm start does).`);
  }
  hardenSession(session.defaultSession);
  serveRenderer(session.defaultSession);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isMac: process.platform === 'darwin', isDev: !app.isPackaged, appName: app.getName() })));

  service = await startService();
  forwarder = createEventForwarder(sendEvents, { intervalMs: 50 });
  const events = forwarder;
  service.onEvent((event) => events.push(event));
  registerIpc(service);

  await createWindow();
  app.on('activate', () => {
    if (!mainWindow) void createWindow().catch((err: unknown) => log(`could not open a window: ${String(err)}`));
  });
}

main().catch(async (err: unknown) => {
  if (!(err instanceof FatalError)) {
    log(`startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (app.isReady()) dialog.showErrorBox('WGF Lab could not start', err instanceof Error ? err.message : String(err));
  }
  await Promise.resolve(service?.close()).catch(() => undefined);
  app.exit(1);
});
