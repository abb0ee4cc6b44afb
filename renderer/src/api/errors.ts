// Errors from either transport become LabErrors: a code, a message in words, and setup issues.
import { LabError } from '../../../src/api';

/** Turns anything thrown by a transport into a LabError (code, message in words, setup issues). */
export function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  if (err && typeof err === 'object') {
    const e = err as { code?: string; message?: string; issues?: [] };
    if (typeof e.code === 'string' && ['invalid', 'not_found', 'conflict', 'internal'].includes(e.code)) return LabError.fromJSON(e);
    // Electron wraps remote errors as "Error invoking remote method 'lab:x': Error: <message>".
    const msg = String(e.message ?? err).replace(/^Error invoking remote method '[^']+': (\w*Error: )?/, '');
    return new LabError('internal', msg);
  }
  return new LabError('internal', String(err));
}

/** The message to show for a failed call. */
export const errorText = (err: unknown): string => toLabError(err).message;
