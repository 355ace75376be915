import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import mqtt, { IConnackPacket } from 'mqtt';
import { Client } from 'pg';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { TestDatabase, createTestDatabase } from '@nestmq/persistence/testing';
import { BrokerProcess, freePort, spawnBroker } from './support/broker-process';
import { connectClient, connectWithInbox, eventually, publish, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TcpProxy } from './support/tcp-proxy';

/*
 * The database goes away while the broker runs: a TCP proxy between the broker and PostgreSQL drops
 * every connection and refuses new ones (or leaves them unanswered), then lets them through again.
 * Online clients keep being served, nothing acknowledged is dropped, writes resume once the database is
 * back, and a shutdown in between keeps trying rather than exiting with rows unwritten.
 */

const ADMIN_URL = process.env.TEST_DATABASE_URL;

/** A fresh database, a proxy in front of its server, and the URL through the proxy for the broker. */
async function proxiedDatabase(): Promise<{ db: TestDatabase; proxy: TcpProxy; url: string }> {
  const db = await createTestDatabase('postgres');
  const direct = new URL(db.options.url!);
  const proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
  const via = new URL(direct);
  via.hostname = '127.0.0.1';
  via.port = String(await proxy.listen());
  return { db, proxy, url: via.toString() };
}

/** Rows read straight from the database, past the proxy. */
async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The CONNACK reason code (5.0) or return code (3.1.1) a client with these credentials gets. */
async function connackCode(port: number, username: string, password: string, version: 4 | 5 = 5, timeoutMs = 5000): Promise<number> {
  const raw = await RawClient.open(port, version);
  raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: '', username, password: Buffer.from(password) });
  const connack = await raw.expect(PacketType.Connack, timeoutMs);
  raw.destroy();
  return connack.reasonCode;
}

/** A promise and whether it has settled yet: a PUBACK that must not have arrived is a pending publish. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const tracked = promise.finally(() => (done = true));
  return { promise: tracked, settled: () => done };
}

/** Nothing in the broker's output says it met an error it did not handle. */
function assertNoCrash(broker: BrokerProcess): void {
  assert.equal(broker.child.exitCode, null, `the broker exited:\n${broker.output()}`);
  assert.doesNotMatch(broker.output(), /unhandled|uncaught/i);
}

// Needs TEST_DATABASE_URL: the outage is made by a proxy in front of a PostgreSQL server (CI sets it).
(ADMIN_URL ? describe : describe.skip)('a database that goes away while the broker runs (PostgreSQL)', () => {
  describe('online clients', () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let broker: BrokerProcess;
    let url: string;
    let port: number;
    const alice = { username: 'alice', password: 'alice-secret' };

    beforeAll(async () => {
      const proxied = await proxiedDatabase();
      ({ db, proxy } = proxied);
      port = await freePort();
      url = `mqtt://127.0.0.1:${port}`;
      // alice is created in the users table at start-up, so her CONNECT needs the database.
      broker = await spawnBroker({
        DATABASE_URL: proxied.url, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'false',
        ADMIN_USERNAME: alice.username, ADMIN_PASSWORD: alice.password, HISTORY_TOPICS: 'live/#',
      });
    });
    afterAll(async () => {
      broker?.child.kill('SIGKILL');
      await proxy?.close();
      await db?.drop();
    });

    it('keeps routing QoS 0 and QoS 1 between non-persistent sessions, answers a user\'s CONNECT with 0x88, and recovers', async () => {
      const [sub, inbox] = await connectWithInbox(url, { ...alice, clientId: 'live-sub' });
      await sub.subscribeAsync('live/#', { qos: 1 });
      const pub = await connectClient(url, { ...alice, clientId: 'live-pub' });

      proxy.cut();
      // A user's CONNECT needs the users table: the honest answer is 0x88 Server unavailable (5.0
      // §3.2.2.2), then close [MQTT-3.2.2-7]; not a hang, not a crash. 3.1.1 gets return code 3 (Table 3.1).
      assert.equal(await connackCode(port, alice.username, alice.password), ReasonCode.ServerUnavailable);
      assert.equal(await connackCode(port, alice.username, alice.password, 4), 3);

      // A server that answers nothing at all: the CONNECT waits for the connection timeout (5 s), not for
      // the operating system to give up, and the broker serves everyone else meanwhile.
      proxy.blackhole();
      const waiting = connackCode(port, alice.username, alice.password, 5, 10_000);
      // Session Expiry 0 on both ends: nothing to store, so delivery and the PUBACK need no database.
      await publish(pub, 'live/q0', 'at most once', { qos: 0 });
      await withTimeout(publish(pub, 'live/q1', 'at least once', { qos: 1 }), 5000, 'PUBACK of a QoS 1 message no persistent session holds');
      const got = await inbox.waitFor(2);
      assert.deepEqual(got.map((m) => [m.topic, m.payload.toString(), m.packet.qos]), [['live/q0', 'at most once', 0], ['live/q1', 'at least once', 1]]);
      assert.equal(await waiting, ReasonCode.ServerUnavailable);
      assertNoCrash(broker);

      proxy.restore();
      assert.equal(await connackCode(port, alice.username, alice.password), ReasonCode.Success);
      await publish(pub, 'live/after', 'back', { qos: 1 });
      await inbox.waitFor(3);
      await Promise.all([sub.endAsync(), pub.endAsync()]);

      // A clean shutdown writes the history kept while the database was away: the buffer had room.
      broker.child.kill('SIGTERM');
      assert.equal(await broker.exited, 0, broker.output());
      const history = await query<{ topic: string; count: number }>(db.options.url!, `SELECT topic, sum(count)::int AS count FROM history_blocks GROUP BY topic ORDER BY topic`);
      assert.deepEqual(history.map((r) => [r.topic, r.count]), [['live/after', 1], ['live/q0', 1], ['live/q1', 1]]);
    });
  });

  describe('an offline persistent session', () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let broker: BrokerProcess | undefined;
    let env: Record<string, string>;
    let url: string;
    const keeper = { clientId: 'keeper', clean: false, properties: { sessionExpiryInterval: 600 } };
    const late = { clientId: 'late', clean: false, properties: { sessionExpiryInterval: 600 } };

    beforeAll(async () => {
      const proxied = await proxiedDatabase();
      ({ db, proxy } = proxied);
      const port = await freePort();
      url = `mqtt://127.0.0.1:${port}`;
      env = { DATABASE_URL: proxied.url, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true', HISTORY_TOPICS: '' };
      broker = await spawnBroker(env);
    });
    afterAll(async () => {
      broker?.child.kill('SIGKILL');
      await proxy?.close();
      await db?.drop();
    });

    it('acknowledges a QoS 1 message for it only once committed, and delivers it exactly once', async () => {
      const durable = await connectClient(url, { ...keeper, clean: true });
      await durable.subscribeAsync('kept/#', { qos: 1 });
      await durable.endAsync();
      const [watcher, watched] = await connectWithInbox(url, { clientId: 'watcher' });
      await watcher.subscribeAsync('kept/#', { qos: 1 });
      const pub = await connectClient(url, { clientId: 'kept-pub' });

      proxy.cut();
      const failuresBefore = (broker!.output().match(/database write failed/g) ?? []).length;
      const puback = track(publish(pub, 'kept/1', 'held', { qos: 1 }));
      // The online subscriber has it at once; the publisher gets no PUBACK while the batch holding the
      // copy for the offline session cannot be committed: a PUBACK says the broker has accepted ownership
      // [MQTT-4.3.2-4], which it can only do once the message is stored (DESIGN.md, Durability).
      assert.equal((await watched.waitFor(1))[0].payload.toString(), 'held');
      await eventually(() => (broker!.output().match(/database write failed/g) ?? []).length > failuresBefore, 5000, 'a failed commit');
      assert.equal(puback.settled(), false, 'no PUBACK before the commit');
      assertNoCrash(broker!);

      proxy.restore();
      // The queue retries with backoff (at most 5 s apart): the PUBACK follows the commit.
      await withTimeout(puback.promise, 15_000, 'PUBACK once the database is back');
      const stored = await query<{ topic: string; payload: Buffer }>(db.options.url!, `SELECT s.topic, s.payload FROM session_messages m JOIN stored_messages s ON s.id = m.message_id WHERE m.client_id = $1`, ['keeper']);
      assert.deepEqual(stored.map((r) => [r.topic, r.payload.toString()]), [['kept/1', 'held']]);

      // A new persistent session after the outage: its SUBACK waits for the commit, too.
      const newcomer = await connectClient(url, { ...late, clean: true });
      await newcomer.subscribeAsync('late/#', { qos: 1 });
      await Promise.all([newcomer.endAsync(), watcher.endAsync(), pub.endAsync()]);

      broker!.child.kill('SIGKILL');
      await broker!.exited;
      broker = await spawnBroker(env);
      assert.match(broker.output(), /restored 2 session\(s\)/);

      const [back, inbox] = await connectWithInbox(url, keeper);
      assert.equal((await inbox.waitFor(1, 10_000))[0].payload.toString(), 'held');
      // Exactly once: a marker published now is the next message, with nothing repeated before it.
      const marker = await connectClient(url);
      await publish(marker, 'kept/marker', 'marker', { qos: 1 });
      const got = await inbox.waitFor(2);
      assert.deepEqual(got.map((m) => m.topic), ['kept/1', 'kept/marker']);

      // The session created after the outage was stored: it is resumed [MQTT-3.2.2-3].
      const resumed = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, ...late });
      const connack = await withTimeout(new Promise<IConnackPacket>((resolve, reject) => resumed.once('connect', resolve).once('error', reject)), 5000, 'CONNACK');
      assert.equal(connack.sessionPresent, true);
      await Promise.all([back.endAsync(), marker.endAsync(), resumed.endAsync()]);
      broker.child.kill('SIGTERM');
      assert.equal(await broker.exited, 0, broker.output());
    });
  });

  describe('a shutdown', () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let broker: BrokerProcess;
    let url: string;

    beforeAll(async () => {
      const proxied = await proxiedDatabase();
      ({ db, proxy } = proxied);
      const port = await freePort();
      url = `mqtt://127.0.0.1:${port}`;
      broker = await spawnBroker({ DATABASE_URL: proxied.url, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true', HISTORY_TOPICS: '' });
    });
    afterAll(async () => {
      broker?.child.kill('SIGKILL');
      await proxy?.close();
      await db?.drop();
    });

    it('keeps retrying what is queued, and does not call it clean until it is written', async () => {
      const durable = await connectClient(url, { clientId: 'parked', clean: true, properties: { sessionExpiryInterval: 600 } });
      await durable.subscribeAsync('parked/#', { qos: 1 });
      await durable.endAsync();
      const pub = await connectClient(url);
      // The broker disconnects the publisher while shutting down, before any PUBACK: no unhandled rejection.
      pub.on('error', () => undefined);

      proxy.cut();
      void publish(pub, 'parked/1', 'queued', { qos: 1 }).catch(() => undefined);
      await eventually(() => /database write failed/.test(broker.output()), 5000, 'a failed commit');
      broker.child.kill('SIGTERM');
      await eventually(() => /SIGTERM received/.test(broker.output()), 5000, 'the shutdown to begin');
      // Within the shutdown deadline the database comes back: the queued row is written, then the exit.
      proxy.restore();
      assert.equal(await broker.exited, 0, broker.output());
      const stored = await query<{ topic: string }>(db.options.url!, `SELECT s.topic FROM session_messages m JOIN stored_messages s ON s.id = m.message_id WHERE m.client_id = $1`, ['parked']);
      assert.deepEqual(stored.map((r) => r.topic), ['parked/1']);
      pub.end(true);
    });
  });
});
