// Security policy of the Electron shell, kept free of any `electron` import so plain-Node tests cover it.
// The renderer is served from a privileged custom scheme (app://wgf-lab/...) rather than file://: the page gets a
// real, fixed origin (so IPC sender checks compare exact origins and the CSP 'self' means "our bundle only"),
// every response carries the CSP header, and only files under dist/renderer can ever be read.
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, contentTypeOf } from '../renderer-assets';

export const APP_SCHEME = 'app';
export const APP_HOST = 'wgf-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The renderer's policy, shared with browser mode (main/renderer-assets.ts). */
export { CONTENT_SECURITY_POLICY, contentTypeOf };

/** Headers added to every response served to the renderer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const parse = (url: string): URL | undefined => {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
};

/** True for URLs of the app's own renderer (app://wgf-lab/...). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/**
 * Requests the renderer's session may make: its own origin, data:/blob: URLs (charts), and DevTools' own pages.
 * Everything else (http, https, ws, file, other custom schemes) is cancelled: the app never loads remote content.
 */
export function isAllowedRequestUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === 'data:') return true;
  if (u.protocol === 'blob:') return isAppUrl(u.pathname);
  return u.protocol === 'devtools:';
}

/**
 * A link the user asked to open (window.open, target=_blank, or a plain link click, which is never followed
 * inside the window): http(s) links without embedded credentials go to the system browser; anything else is dropped.
 */
export function externalUrlToOpen(url: string): string | null {
  const u = parse(url);
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) return null;
  if (u.username || u.password || !u.hostname) return null;
  return u.href;
}

/**
 * Web permissions the app's own page may use. Only writing to the clipboard (navigator.clipboard.writeText, e.g. to
 * copy a setup or a table); camera, microphone, geolocation, notifications, MIDI, HID, serial, fullscreen of
 * elements, reading the clipboard, and everything else are denied, and nothing is granted to any other origin.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined | null): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}


export type AppRequestTarget =
  | { readonly ok: true; readonly file: string; readonly contentType: string; readonly spaFallback: boolean }
  | { readonly ok: false; readonly status: 400 | 403 | 404 | 405 };

/**
 * Maps a request on the app scheme to a file under `rootDir` (dist/renderer). Only GET/HEAD on app://wgf-lab;
 * percent-decoded paths that leave rootDir (../, encoded separators, NUL) are refused. "/" is index.html, and an
 * extension-less path falls back to index.html (client-side routes) when no such file exists (`spaFallback`).
 */
export function resolveAppRequest(url: string, rootDir: string, method = 'GET'): AppRequestTarget {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  const u = parse(url);
  if (!u || !isAppUrl(url)) return { ok: false, status: 403 };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (rel.includes('\0') || rel.includes('\\')) return { ok: false, status: 400 };
  if (rel.split('/').includes('..')) return { ok: false, status: 403 };
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return { ok: false, status: 403 };
  const spaFallback = path.extname(file) === '';
  return { ok: true, file, contentType: contentTypeOf(file), spaFallback };
}
