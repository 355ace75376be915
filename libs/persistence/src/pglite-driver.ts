import { PGlite, types } from '@electric-sql/pglite';
import { EventEmitter } from 'node:events';

type Callback = (error: unknown, result?: unknown) => void;

/**
 * A `pg`-compatible pool over one PGlite instance, for TypeORM's postgres driver. Each DataSource gets
 * its own instance (unlike a process-wide singleton), so tests can hold several databases at once.
 */
export function pgliteDriver(dataDir: string): { Pool: new () => EventEmitter } {
  let instance: Promise<PGlite> | undefined;
  const open = (): Promise<PGlite> =>
    (instance ??= PGlite.create({
      dataDir,
      // PGlite otherwise sends JS booleans as 't'/'f' text, which PostgreSQL's binder rejects in some casts.
      serializers: { [types.BOOL]: (v: unknown) => (v === true || v === 'true' || v === 1 ? 'TRUE' : v === false || v === 'false' || v === 0 ? 'FALSE' : String(v)) },
    }));

  class PglitePool extends EventEmitter {
    connect(callback: (error: unknown, client?: unknown, done?: () => void) => void): void {
      open().then(
        () => callback(null, this, () => undefined),
        (e: unknown) => callback(e),
      );
    }

    query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> {
      const cb = typeof params === 'function' ? params : callback;
      const values = typeof params === 'function' ? undefined : params;
      const result = open().then((db) =>
        values !== undefined && values.length > 0
          ? db.query(sql, values)
          : // exec runs several statements; TypeORM expects the result of the last one.
            db.exec(sql).then((results) => results[results.length - 1] ?? { rows: [], fields: [] }),
      );
      result.then(
        (r) => cb?.(null, r),
        (e: unknown) => cb?.(e),
      );
      return result;
    }

    end(callback?: (error: unknown) => void): void {
      const closing = instance ? instance.then((db) => db.close()) : Promise.resolve();
      instance = undefined;
      closing.then(
        () => callback?.(null),
        (e: unknown) => callback?.(e),
      );
    }
  }
  return { Pool: PglitePool };
}
