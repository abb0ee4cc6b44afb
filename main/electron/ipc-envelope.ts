// What travels back over an IPC invoke: a value, or a LabError as plain JSON. Electron itself would flatten a thrown
// error into "Error invoking remote method ...: message", losing the code and the field-named issues, so handlers
// never throw across the boundary. Shared by the main-side handlers and the (sandboxed, bundled) preload.
import { LabError, type LabErrorCode } from '../../src/api';
import type { SetupIssue } from '../../src/setup/issues';

export interface LabErrorJSON {
  readonly code: LabErrorCode;
  readonly message: string;
  readonly issues: readonly SetupIssue[];
}

export type IpcResponse<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: LabErrorJSON };

/** Value of a response, or the LabError it carries (rebuilt as a LabError instance). */
export function unwrapIpcResponse<T>(response: unknown): T {
  if (response && typeof response === 'object' && 'ok' in response) {
    const r = response as IpcResponse<T>;
    if (r.ok) return r.value;
    const e = r.error && typeof r.error === 'object' ? r.error : { code: 'internal', message: 'malformed error response' };
    throw LabError.fromJSON({
      code: e.code,
      message: typeof e.message === 'string' ? e.message : 'unknown error',
      issues: Array.isArray((e as LabErrorJSON).issues) ? [...(e as LabErrorJSON).issues] : [],
    });
  }
  throw new LabError('internal', 'malformed IPC response from the main process');
}
