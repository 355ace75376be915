/**
 * Persistence scenarios, one broker process at a time: message history recorded into PostgreSQL at a fixed
 * publish rate (rows that reached the database, broker CPU per message), and QoS 1 publishing into
 * offline persistent sessions (acknowledged messages per second, then every one delivered on reconnect).
 */
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '@nestmq/persistence/testing';
import { Client } from 'pg';
import { Anomalies, RawClient } from './client';
import { Publisher, Subscriber } from './load';
import { BrokerProcess, sleep } from './processes';
import { CpuFigures, CpuMeter, RunOutcome, RunSettings, connectAll, crashCheck } from './scenarios';

// ---- a database of its own per run --------------------------------------------------------------------------

export interface BenchDatabase {
  url: string;
  /** Rows in message_history (0 before the broker created the table). */
  historyRows(): Promise<number>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const database = await createTestDatabase('postgres', adminUrl, 'nestmq_bench');
  const url = database.options.url!;
  let reader: Client | undefined;
  return {
    url,
    historyRows: async () => {
      if (reader === undefined) {
        reader = new Client({ connectionString: url });
        await reader.connect();
      }
      const r = await reader.query<{ n: string }>(`SELECT count(*) AS n FROM message_history`);
      return Number(r.rows[0].n);
    },
    drop: async () => {
      await reader?.end().catch(() => undefined);
      await database.drop();
    },
  };
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
  /** Rows in message_history after the run (NaN with recording off). */
  stored: number;
  /** Seconds from the last PUBLISH until the last row was in the database (NaN with recording off). */
  catchUpSeconds: number;
}

/**
 * `publishers` publishers send QoS 0 at `rate` msg/s in all (paced on the clock, not by flow control) to
 * one subscriber on bench/#. With a database, the run ends when message_history holds every message
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
