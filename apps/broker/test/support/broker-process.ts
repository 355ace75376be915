import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { withTimeout } from './clients';

/** The compiled entry point, as `npm start` runs it. */
export const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

/** A port that was free a moment ago: for a child process, which cannot report an ephemeral port back sooner. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Brokers still running when a test file's tests are over are killed: a failed test leaves none behind. */
const live = new Set<ChildProcess>();
afterAll(() => {
  for (const child of live) child.kill('SIGKILL');
});

export interface BrokerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the broker as a child process and resolves once it prints `waitFor` (or fails if it exits first).
 * Without DATA_DIR or DATABASE_URL in `env`, it gets a test database of its own, dropped once it exits.
 */
export async function spawnBroker(env: Record<string, string>, waitFor: RegExp | null = /listening on mqtt:/, cwd?: string): Promise<BrokerProcess> {
  const db = env.DATA_DIR === undefined && env.DATABASE_URL === undefined ? await createTestDatabase(defaultDatabaseKind()) : undefined;
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', SYS_INTERVAL: '0', WS_PORT: '0', HTTP_PORT: '0', BCRYPT_COST: '4', ...(db ? { DATABASE_URL: db.options.url! } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let text = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      const dropped = db ? db.drop().catch(() => undefined) : Promise.resolve();
      void dropped.then(() => resolve(code));
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (waitFor && waitFor.test(text)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => (waitFor ? reject(new Error(`broker exited with ${code}:\n${text}`)) : resolve()));
  });
  // The embedded database takes seconds to start, many more on a loaded machine: an honest bound, not a tight one.
  await withTimeout(ready, 60_000, 'the broker process to start');
  return { child, output: () => text, exited };
}
