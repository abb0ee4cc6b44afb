// IPC handlers of the LabApi, free of any `electron` import: main.ts registers one ipcMain.handle per method on
// ipcChannel(method) and passes each call through here. Every call is (1) refused unless it comes from the app's
// own renderer, (2) validated with LabApiInputs[method], (3) answered with an IpcResponse envelope (never a throw),
// so the renderer gets LabError code, message and field-named issues intact.
import { LabError, LAB_METHODS, type LabApi, type LabMethod } from '../../src/api';
import { LabApiInputs } from '../../src/api-inputs';
import { formatIssue, issuesFromZod, SetupError } from '../../src/setup/issues';
import type { IpcResponse, LabErrorJSON } from './ipc-envelope';
import { isAppUrl } from './security';

/** What main.ts reads off an IpcMainInvokeEvent (sender.id, senderFrame.url, senderFrame.parent === null). */
export interface IpcSender {
  readonly webContentsId: number;
  /** URL of the frame that sent the message; null when the frame is gone (navigated away or destroyed). */
  readonly frameUrl: string | null | undefined;
  readonly isMainFrame: boolean;
}

/**
 * Sender check: the main frame of one of our own windows (by webContents id), showing our own renderer
 * (app://wgf-lab/...). Sub-frames, foreign pages, file:// pages and unknown webContents are refused.
 */
export function createSenderCheck(trustedWebContentsIds: () => Iterable<number>): (sender: IpcSender) => boolean {
  return (sender) => {
    if (!sender.isMainFrame || !isAppUrl(sender.frameUrl)) return false;
    for (const id of trustedWebContentsIds()) if (id === sender.webContentsId) return true;
    return false;
  };
}

/** Validates the input of one method; throws LabError "invalid" whose issues name each bad field. */
export function parseInput<M extends LabMethod>(method: M, raw: unknown): Parameters<LabApi[M]>[0] {
  const schema = LabApiInputs[method];
  const data = raw === undefined ? {} : raw;
  const result = schema.safeParse(data);
  if (!result.success) {
    const issues = issuesFromZod(result.error, schema, data);
    throw new LabError('invalid', `Invalid input to ${method}: ${issues.map(formatIssue).join('; ')}`, issues);
  }
  return result.data as Parameters<LabApi[M]>[0];
}

/** Any thrown value as LabError JSON. Unexpected errors become "internal" with their message (no stack). */
export function serializeError(err: unknown): LabErrorJSON {
  if (err instanceof LabError) return { code: err.code, message: err.message, issues: [...err.issues] };
  if (err instanceof SetupError) return { code: 'invalid', message: err.message, issues: [...err.issues] };
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';
  return { code: 'internal', message: message || 'unknown error', issues: [] };
}

export type IpcHandler = (sender: IpcSender, rawInput: unknown) => Promise<IpcResponse>;

export interface IpcHandlerOptions {
  readonly isTrustedSender: (sender: IpcSender) => boolean;
  /** Where refused senders and unexpected (internal) errors are reported; console.error by default. */
  readonly log?: (message: string) => void;
}

/** One handler per LabApi method, keyed by method name. */
export function createIpcHandlers(service: LabApi, options: IpcHandlerOptions): Record<LabMethod, IpcHandler> {
  const log = options.log ?? ((m: string) => console.error(m));
  const handlers = {} as Record<LabMethod, IpcHandler>;
  for (const method of LAB_METHODS) {
    handlers[method] = async (sender, rawInput) => {
      if (!options.isTrustedSender(sender)) {
        log(`[ipc] refused ${method} from webContents ${sender.webContentsId} (${sender.frameUrl ?? 'no frame'})`);
        return { ok: false, error: { code: 'internal', message: `IPC call ${method} refused: sender is not the WGF Lab window`, issues: [] } };
      }
      try {
        const input = parseInput(method, rawInput);
        const call = service[method] as (input: unknown) => Promise<unknown>;
        const value = await call.call(service, input);
        return { ok: true, value };
      } catch (err) {
        const error = serializeError(err);
        if (error.code === 'internal') log(`[ipc] ${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return { ok: false, error };
      }
    };
  }
  return handlers;
}
