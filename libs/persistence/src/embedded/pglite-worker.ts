import { PGlite, types } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';
import { PgliteRequest, PgliteResponse, serializeError } from './pglite-protocol';

/**
 * Runs one PGlite instance on its own thread: its WebAssembly would otherwise hold the broker's event
 * loop for the length of every query (history batches take milliseconds).
 */
const port = parentPort;
if (port === null) throw new Error('pglite-worker must run in a worker thread');

const opening = PGlite.create({
  dataDir: (workerData as { dataDir: string }).dataDir,
  // PGlite otherwise sends JS booleans as 't'/'f' text, which PostgreSQL's binder rejects in some casts.
  serializers: { [types.BOOL]: (v: unknown) => (v === true || v === 'true' || v === 1 ? 'TRUE' : v === false || v === 'false' || v === 0 ? 'FALSE' : String(v)) },
});
// Request 0 tells the caller the database is open, or why it could not be opened.
opening.then(
  () => port.postMessage({ id: 0, result: null } satisfies PgliteResponse),
  (e: unknown) => port.postMessage({ id: 0, error: serializeError(e) } satisfies PgliteResponse),
);

async function run(db: PGlite, request: PgliteRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return db.query(request.sql, request.params);
    case 'exec': {
      // exec runs several statements; a pg client answers with the result of the last one.
      const results = await db.exec(request.sql);
      return results[results.length - 1] ?? { rows: [], fields: [] };
    }
    case 'copyFrom':
      return db.query(request.sql, [], { blob: new Blob([request.data]) });
    case 'close':
      await db.close();
      return null;
  }
}

port.on('message', (request: PgliteRequest) => {
  opening
    .then((db) => run(db, request))
    .then(
      (result) => port.postMessage({ id: request.id, result } satisfies PgliteResponse),
      (e: unknown) => port.postMessage({ id: request.id, error: serializeError(e) } satisfies PgliteResponse),
    );
});
