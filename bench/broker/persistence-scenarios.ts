/**
 * Persistence scenarios, one broker process at a time: message history recorded into PostgreSQL (the
 * broker's embedded server, or a PostgreSQL server) at a fixed publish rate (rows that reached the
 * database, broker CPU per message), and QoS 1 publishing into offline persistent sessions (acknowledged
 * messages per second, then every one delivered on reconnect).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedServer, createTestDatabase, isPostgresProcess, readPostmasterPid, removeDataDir } from '@nestmq/persistence/testing';
import { Client } from 'pg';
import { Anomalies, RawClient } from './client';
import { Publisher, Subscriber } from './load';
import { BrokerProcess, sleep } from './processes';
import { CpuFigures, CpuMeter, RunOutcome, RunSettings, connectAll, crashCheck } from './scenarios';

// ---- a database of its own per run --------------------------------------------------------------------------

/**
 * Where NestMQ keeps its data in the benchmark. `embedded`: the README's default, no DATABASE_URL, the
 * broker starts its own PostgreSQL server in a fresh DATA_DIR. `server`: a fresh database on the
 * PostgreSQL server of BENCH_DATABASE_URL.
 */
export type DatabaseChoice = 'embedded' | 'server';

export interface BenchDatabase {
  /** Variables for the broker: DATABASE_URL for a server, nothing for the embedded default. */
  env: Record<string, string>;
  /** The broker's DATA_DIR when it is the broker's own (embedded); undefined: the benchmark's shared one. */
  dataDir: string | undefined;
  /** Once the broker accepts clients (its embedded server is running by then). */
  brokerStarted(): void;
  /** Messages in history_blocks (0 before the broker created the table); only while the broker runs. */
  historyRows(): Promise<number>;
  /** Closes the benchmark's own connection: before the broker stops. */
  disconnect(): Promise<void>;
  /** Removes the database (and DATA_DIR), after the broker stopped. */
  drop(): Promise<void>;
}

/** A pg Client on `url` for counting rows, opened on first use; an error on it (the server going away) is not fatal. */
function rowCounter(url: () => Promise<string>): Pick<BenchDatabase, 'historyRows' | 'disconnect'> {
  let reader: Promise<Client> | undefined;
  return {
    historyRows: async () => {
      reader ??= url().then(async (connectionString) => {
        const client = new Client({ connectionString });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      });
      let client: Client;
      try {
        client = await reader;
      } catch (e) {
        reader = undefined;
        throw e;
      }
      const r = await client.query<{ n: string }>(`SELECT coalesce(sum(count), 0) AS n FROM history_blocks`);
      return Number(r.rows[0].n);
    },
    disconnect: async () => {
      const client = await reader?.catch(() => undefined);
      reader = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}

/** A database of its own on the PostgreSQL server at `adminUrl`. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const database = await createTestDatabase('postgres', adminUrl, 'nestmq_bench');
  const url = database.options.url!;
  const counter = rowCounter(() => Promise.resolve(url));
  return {
    env: { DATABASE_URL: url },
    dataDir: undefined,
    brokerStarted: () => undefined,
    ...counter,
    drop: async () => {
      await counter.disconnect();
      await database.drop();
    },
  };
}

/**
 * Embedded servers of the benchmark's brokers that may be running (DATA_DIR -> postmaster pid, once
 * known): stopped at once if the benchmark ends abruptly. processes.ts then SIGKILLs the brokers, which
 * leaves their servers running, and removes the temporary directory, after which nothing finds them.
 */
const embeddedServers = new Map<string, number | undefined>();

// First of the exit listeners (processes.ts's came first), though on a signal or an uncaught error
// processes.ts removes the directory before: hence the pids read while the brokers ran.
process.prependListener('exit', () => {
  for (const [dataDir, known] of embeddedServers) {
    const pid = known ?? readPostmasterPid(path.join(dataDir, 'postgres'))?.pid;
    if (pid !== undefined && isPostgresProcess(pid)) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone meanwhile
      }
    }
  }
});

/**
 * A fresh DATA_DIR under `parent` for a broker on its embedded default (no DATABASE_URL); the rows are
 * counted on the broker's running server, attached to as `user:add` does (EmbeddedServer.open with
 * attach: the server stays the broker's). drop() stops a server a killed broker left, then removes
 * the directory.
 */
export function createEmbeddedBenchDatabase(parent: string): BenchDatabase {
  const dataDir = mkdtempSync(path.join(parent, 'data-'));
  embeddedServers.set(dataDir, undefined);
  let attached: EmbeddedServer | undefined;
  const counter = rowCounter(async () => {
    // Attach only to a server a live broker owns: open() without an owner would start a server of its own.
    if (!ownerAlive(dataDir)) throw new Error(`no running broker owns the embedded database in ${dataDir}`);
    attached ??= await EmbeddedServer.open(dataDir, { attach: true });
    return attached.url;
  });
  return {
    env: {},
    dataDir,
    brokerStarted: () => {
      embeddedServers.set(dataDir, readPostmasterPid(path.join(dataDir, 'postgres'))?.pid);
    },
    ...counter,
    disconnect: async () => {
      await counter.disconnect();
      await attached?.close();
      attached = undefined;
    },
    drop: async () => {
      await counter.disconnect();
      await attached?.close();
      attached = undefined;
      await removeDataDir(dataDir);
      embeddedServers.delete(dataDir);
    },
  };
}

/** Whether DATA_DIR/nestmq.pid names a live process other than this one. */
function ownerAlive(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'nestmq.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sum = <T>(items: readonly T[], f: (item: T) => number): number => items.reduce((n, item) => n + f(item), 0);

/** Deliveries a subscriber is missing from these publishers (skipped, or never came). */
function missing(sub: Subscriber, publishers: readonly Publisher[]): number {
  return sum(publishers, (p) => sub.trackers[p.index].skipped + Math.max(0, p.sent - sub.trackers[p.index].next));
}

/** Waits until `done`, or until `progress` has not changed for `quietMs`, or the deadline; false unless done. */
async function settle(done: () => boolean, progress: () => number, quietMs: number, deadlineMs: number, broker: BrokerProcess): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  let last = progress();
  let lastAt = performance.now();
  while (!done() && performance.now() < deadline && broker.exited() === null) {
    await sleep(20);
    const now = progress();
    if (now !== last) {
      last = now;
      lastAt = performance.now();
    } else if (performance.now() - lastAt > quietMs) {
      break;
    }
  }
  return done();
}

// ---- history at a fixed rate ----------------------------------------------------------------------------------

export interface HistoryRateResult extends RunOutcome, CpuFigures {
  rate: number;
  /** Messages published per second while measuring. */
  achieved: number;
  /** Broker CPU microseconds per message published while measuring. */
  cpuMicrosPerMessage: number;
  /** Every message of the run, warm-up included. */
  published: number;
  /** Messages in history_blocks after the run (NaN with recording off). */
  stored: number;
  /** Seconds from the last PUBLISH until the last row was in the database (NaN with recording off). */
  catchUpSeconds: number;
}

/**
 * `publishers` publishers send QoS 0 at `rate` msg/s in all (paced on the clock, not by flow control) to
 * one subscriber on bench/#. With a database, the run ends when history_blocks holds every message
 * published, or stops growing.
 */
export async function runHistoryRate(
  broker: BrokerProcess,
  rate: number,
  publisherCount: number,
  s: RunSettings,
  database: BenchDatabase | null,
): Promise<HistoryRateResult> {
  const anomalies = new Anomalies();
  const version = s.protocolVersion;
  const subClient = new RawClient({ port: broker.port, clientId: 'bench-sub-0', protocolVersion: version }, anomalies);
  await subClient.connect();
  await subClient.subscribe('bench/#', 0);
  const subscriber = new Subscriber(subClient, publisherCount, 0, anomalies);
  const publishers = await connectAll(publisherCount, async (i) => {
    const client = new RawClient({ port: broker.port, clientId: `bench-pub-${i}`, protocolVersion: version }, anomalies);
    await client.connect();
    return new Publisher(client, i, `bench/${i}`, 0, 1, anomalies);
  });
  const perPublisher = rate / publisherCount;
  const startedAt = performance.now();
  for (const p of publishers) {
    p.limit = () => Math.floor(((performance.now() - startedAt) / 1000) * perPublisher);
    p.running = true;
  }
  const pacer = setInterval(() => {
    for (const p of publishers) p.pump();
  }, 2);
  const published = (): number => sum(publishers, (p) => p.sent);
  const meter = new CpuMeter(broker);
  await sleep(s.warmupSeconds * 1000);
  const a = published();
  meter.start();
  await sleep(s.seconds * 1000);
  meter.stop();
  const b = published();
  clearInterval(pacer);
  for (const p of publishers) p.running = false;
  const endedAt = performance.now();
  const total = published();

  await settle(() => missing(subscriber, publishers) === 0, () => subscriber.received, 1000, s.drainSeconds * 1000, broker);
  let stored = NaN;
  let catchUpSeconds = NaN;
  if (database !== null) {
    stored = await database.historyRows();
    const deadline = performance.now() + s.drainSeconds * 3000;
    let lastChange = performance.now();
    while (stored < total && performance.now() < deadline && performance.now() - lastChange < 3000 && broker.exited() === null) {
      await sleep(50);
      const now = await database.historyRows();
      if (now !== stored) lastChange = performance.now();
      stored = now;
    }
    catchUpSeconds = stored >= total ? (performance.now() - endedAt) / 1000 : NaN;
  }

  const outcome: RunOutcome = { problems: [], notes: [] };
  crashCheck(broker, outcome);
  const lost = missing(subscriber, publishers);
  if (lost > 0) outcome.notes.push(`QoS 0: ${lost.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} deliveries missing (dropped)`);
  if (database !== null && stored < total) outcome.notes.push(`history: ${(total - stored).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows missing`);
  if (stored > total) outcome.problems.push(`history: ${stored - total} rows more than messages published`);
  const duplicates = sum(subscriber.trackers, (t) => t.duplicates);
  if (duplicates > 0) outcome.problems.push(`${duplicates} duplicate deliveries`);
  if (anomalies.total > 0) outcome.problems.push(anomalies.toString());
  await Promise.all([...publishers.map((p) => p.client.disconnect()), subClient.disconnect()]);
  crashCheck(broker, outcome);
  return {
    ...outcome,
    ...meter.figures(),
    rate,
    achieved: (b - a) / meter.wall,
    cpuMicrosPerMessage: (meter.broker / (b - a)) * 1e6,
    published: total,
    stored,
    catchUpSeconds,
  };
}

// ---- QoS 1 into offline persistent sessions ------------------------------------------------------------------

export interface OfflineResult extends RunOutcome, CpuFigures {
  /** PUBACKs received per second while measuring. */
  acknowledgedPerSecond: number;
  acknowledgedPerCpuSecond: number;
  /** Messages acknowledged in the whole run; each is queued for every session. */
  acknowledged: number;
  /** Deliveries missing after the sessions reconnected. */
  lost: number;
  duplicates: number;
}

/**
 * `sessions` persistent sessions subscribe to bench/# at QoS 1 and disconnect; `publisherCount` publishers
 * then publish QoS 1 (at most `s.inflight` unacknowledged each) for the measured time; the sessions come
 * back and must receive every acknowledged message, once.
 */
export async function runOfflineQoS1(broker: BrokerProcess, publisherCount: number, sessions: number, s: RunSettings): Promise<OfflineResult> {
  const anomalies = new Anomalies();
  const version = s.protocolVersion;
  const sessionClient = (i: number): RawClient =>
    new RawClient({ port: broker.port, clientId: `bench-offline-${i}`, protocolVersion: version, persistent: true }, anomalies);
  for (let i = 0; i < sessions; i++) {
    const client = sessionClient(i);
    await client.connect();
    await client.subscribe('bench/#', 1);
    await client.disconnect();
  }
  const publishers = await connectAll(publisherCount, async (i) => {
    const client = new RawClient({ port: broker.port, clientId: `bench-pub-${i}`, protocolVersion: version }, anomalies);
    await client.connect();
    return new Publisher(client, i, `bench/${i}`, 1, s.inflight, anomalies);
  });
  const completed = (): number => sum(publishers, (p) => p.completed);
  const meter = new CpuMeter(broker);
  for (const p of publishers) {
    p.running = true;
    p.pump();
  }
  await sleep(s.warmupSeconds * 1000);
  const a = completed();
  meter.start();
  await sleep(s.seconds * 1000);
  meter.stop();
  const b = completed();
  for (const p of publishers) p.running = false;
  const outcome: RunOutcome = { problems: [], notes: [] };
  const acked = await settle(() => publishers.every((p) => p.unacknowledged === 0), completed, 5000, s.drainSeconds * 3000, broker);
  if (!acked) outcome.problems.push(`${sum(publishers, (p) => p.unacknowledged)} PUBLISH never acknowledged`);
  await Promise.all(publishers.map((p) => p.client.disconnect()));

  const subscribers = await connectAll(sessions, async (i) => {
    const client = sessionClient(i);
    const sub = new Subscriber(client, publisherCount, 1, anomalies);
    await client.connect();
    return sub;
  });
  const delivered = (): number => sum(subscribers, (sub) => sub.received);
  await settle(() => subscribers.every((sub) => missing(sub, publishers) === 0), delivered, 5000, s.drainSeconds * 3000, broker);
  const lost = sum(subscribers, (sub) => missing(sub, publishers));
  const duplicates = sum(subscribers, (sub) => sum(sub.trackers, (t) => t.duplicates));
  crashCheck(broker, outcome);
  if (lost > 0) outcome.problems.push(`${lost} of ${(completed() * sessions).toLocaleString('en-US')} queued deliveries missing after reconnecting`);
  if (duplicates > 0) outcome.problems.push(`${duplicates} duplicate deliveries without DUP`);
  if (anomalies.total > 0) outcome.problems.push(anomalies.toString());
  await Promise.all(subscribers.map((sub) => sub.client.disconnect()));
  return {
    ...outcome,
    ...meter.figures(),
    acknowledgedPerSecond: (b - a) / meter.wall,
    acknowledgedPerCpuSecond: (b - a) / meter.broker,
    acknowledged: completed(),
    lost,
    duplicates,
  };
}
