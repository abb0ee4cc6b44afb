// Worker thread that reads metric series through its own read-only SQLite connection, so that a large Compare
// load never blocks the main thread (which keeps answering small requests and storing metric batches).
// Messages: SeriesRequest in, SeriesReply out (typed arrays transferred).
import { parentPort, workerData } from 'node:worker_threads';
import { SeriesReadConnection } from '../db/series-read';
import { readThinned, type SeriesReply, type SeriesRequest } from './series-thin';

const { dbPath, nativeBinding } = workerData as { dbPath: string; nativeBinding?: string };
const conn = new SeriesReadConnection(dbPath, nativeBinding);

parentPort!.on('message', (req: SeriesRequest | 'close') => {
  if (req === 'close') {
    conn.close();
    parentPort!.close();
    return;
  }
  let reply: SeriesReply;
  try {
    const series = readThinned(conn, req);
    reply = { id: req.id, series };
  } catch (e) {
    reply = { id: req.id, error: (e as Error)?.message ?? String(e) };
  }
  const transfer = 'series' in reply && reply.series ? reply.series.flatMap((s) => [s.iterations.buffer, s.values.buffer, s.wallMs.buffer]) : [];
  parentPort!.postMessage(reply, transfer as ArrayBuffer[]);
});
