// Renderer ambient types: .vue modules and the Electron preload bridge (this file is a script, not a module).

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

/** What main/electron/preload.ts exposes: one async function per LabApi method, plus event subscription. */
type WgfLabBridge = import('../src/api').LabApi & {
  onEvent(listener: (event: import('../src/api').LabEvent) => void): () => void;
};

interface Window {
  wgfLab?: WgfLabBridge;
}
