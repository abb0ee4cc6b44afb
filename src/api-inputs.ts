// One zod schema per LabApi method: the IPC handlers, the HTTP routes and LabService validate every call with
// these (errors name the field), so a call that passes one transport passes the other.
import { z } from 'zod';
import { RUN_STATUSES, type LabMethod } from './api';

const id = z.int().positive();
/** Input schemas, one per method: the IPC handler and the HTTP route validate with these. */
export const LabApiInputs = {
  info: z.strictObject({}),
  listPresets: z.strictObject({}),
  listSetups: z.strictObject({}),
  saveSetup: z.strictObject({ id: id.optional(), setup: z.unknown() }),
  deleteSetup: z.strictObject({ id }),
  validateSetup: z.strictObject({ setup: z.unknown() }),
  queueSetup: z.strictObject({ setupId: id, shard: z.strictObject({ index: z.int().min(1), count: z.int().min(1).max(100_000) }).refine((v) => v.index <= v.count, { message: 'index must be <= count' }).optional() }),
  listRuns: z.strictObject({ setupId: id.optional(), status: z.array(z.enum(RUN_STATUSES)).optional() }),
  getRun: z.strictObject({ id }),
  getMetrics: z.strictObject({ runIds: z.array(id).max(500), metric: z.string().min(1).max(100).optional(), maxPoints: z.int().min(2).max(1_000_000).optional() }),
  getGroupedMetrics: z.strictObject({
    runIds: z.array(id).max(5000),
    metric: z.string().min(1).max(100),
    groupBy: z.array(z.string().min(1).max(200)).max(20),
    center: z.enum(['mean', 'median']),
    band: z.enum(['std', 'minmax', 'quantiles', 'none']),
    quantiles: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).refine(([a, b]) => a <= b, { message: 'the lower quantile must not exceed the upper' }).optional(),
    x: z.enum(['iteration', 'time', 'wall']),
    maxPoints: z.int().min(2).max(1_000_000).optional(),
  }),
  listSnapshots: z.strictObject({ runIds: z.array(id).max(500) }),
  getSnapshots: z.strictObject({ runId: id, iterations: z.array(z.int().min(0)).max(2000) }),
  cancelRun: z.strictObject({ id }),
  requeueRun: z.strictObject({ id }),
  deleteRuns: z.strictObject({ ids: z.array(id).max(100_000).optional(), setupId: id.optional() })
    .refine((v) => (v.ids === undefined) !== (v.setupId === undefined), { message: 'give either ids or setupId' }),
  annotateRun: z.strictObject({ id, notes: z.string().max(100_000).optional(), tags: z.array(z.string().trim().min(1).max(64)).max(100).optional() }),
  resumeInterrupted: z.strictObject({ setupId: id.optional() }),
} satisfies Record<LabMethod, z.ZodType>;

