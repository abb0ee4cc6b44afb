// BrowserWindow options of the main window. Type-only import of electron: nothing from electron is loaded at run
// time, so plain-Node tests check the security-relevant preferences directly.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** webPreferences of every window: isolated, sandboxed, no Node, web security on, nothing optional enabled. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    enableWebSQL: false,
  };
}

export function mainWindowOptions(preloadPath: string, title = 'WGF Lab'): BrowserWindowConstructorOptions {
  return {
    title,
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    // Shown on 'ready-to-show' so the window does not flash empty.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(preloadPath),
  };
}
