import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { DatabaseOptions } from '@nestmq/persistence';
import { DatabaseKind, createTestDatabase, databaseKinds } from '@nestmq/persistence/testing';
import { PacketType } from '@nestmq/mqtt-protocol';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../src/database/database.module';
import { connectClient, connectWithInbox, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startBrokerOn } from './support/test-broker';

/*
 * A QoS 1 message to N offline persistent sessions is stored once with N references: a publisher cannot
 * make the database grow N times faster than it publishes. The stored message survives a restart and is
 * deleted once the last of its sessions has acknowledged it.
 */

const SESSIONS = 100;
const MESSAGES = 3;
const PAYLOAD_BYTES = 100 * 1024;
const session = (i: number) => ({ clientId: `fan-${i}`, clean: false, properties: { sessionExpiryInterval: 600 } });

/** A PostgreSQL database, or the embedded one in a directory: both outlive one broker. */
async function database(kind: DatabaseKind): Promise<{ options: DatabaseOptions; drop(): Promise<void> }> {
  if (kind === 'postgres') return createTestDatabase('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-stored-'));
  return { options: { dataDir: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function count(broker: TestBroker, sql: string): Promise<number> {
  const [row] = (await broker.app.get<symbol, DataSource>(DATA_SOURCE).query(sql)) as Array<{ n: string | number }>;
  return Number(row.n);
}

/** Polls the database until `sql` counts `expected`: acknowledgements reach it a batch later. */
async function countReaches(broker: TestBroker, sql: string, expected: number, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let n = await count(broker, sql);
  while (n !== expected) {
    if (Date.now() > deadline) assert.fail(`${what}: ${n}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 20));
    n = await count(broker, sql);
  }
}

/** Connects a slice of the sessions at a time: a hundred handshakes at once would be a test of the machine. */
async function inSlices<T>(indexes: number[], action: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let at = 0; at < indexes.length; at += 20) out.push(...(await Promise.all(indexes.slice(at, at + 20).map(action))));
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

for (const kind of databaseKinds()) {
  describe(`one message to many offline persistent sessions is stored once (${kind})`, () => {
    it('stores each payload once with a reference per session, restores it, and deletes it after the last acknowledgement', async () => {
      const db = await database(kind);
      let broker: TestBroker | undefined;
      try {
        broker = await startBrokerOn(db.options);
        await inSlices(range(0, SESSIONS), async (i) => {
          const client = await connectClient(broker!.url, { ...session(i), clean: true });
          await client.subscribeAsync('fan/#', { qos: 1 });
          await client.endAsync();
        });

        const payloads = Array.from({ length: MESSAGES }, () => randomBytes(PAYLOAD_BYTES));
        const publisher = await connectClient(broker.url);
        // Each PUBACK comes once the batch holding the message and its references is committed.
        for (const [i, payload] of payloads.entries()) await publish(publisher, `fan/${i}`, payload, { qos: 1 });
        await publisher.endAsync();

        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), MESSAGES, 'one stored message per message published');
        assert.equal(await count(broker, `SELECT sum(length(payload)) AS n FROM stored_messages`), MESSAGES * PAYLOAD_BYTES, 'each payload once');
        assert.equal(await count(broker, `SELECT count(*) AS n FROM session_messages`), MESSAGES * SESSIONS, 'one reference per session and message');
        assert.equal(
          await count(broker, `SELECT count(*) AS n FROM session_messages m WHERE NOT EXISTS (SELECT 1 FROM stored_messages s WHERE s.id = m.message_id)`),
          0,
          'every reference has its message',
        );
        // Far below the hundred copies of the payloads the sessions used to get: the payloads once, plus small rows.
        const bytes = await count(broker, `SELECT pg_total_relation_size('stored_messages') + pg_total_relation_size('session_messages') AS n`);
        assert.ok(bytes < 3 * MESSAGES * PAYLOAD_BYTES, `${bytes} bytes stored for ${MESSAGES * PAYLOAD_BYTES} bytes published to ${SESSIONS} sessions`);

        await broker.close();
        broker = await startBrokerOn(db.options);
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), MESSAGES, 'nothing written again at start-up');

        // Half the sessions take their messages: the stored messages stay for the other half.
        const receive = async (i: number): Promise<void> => {
          const [client, inbox] = await connectWithInbox(broker!.url, session(i));
          const got = await inbox.waitFor(MESSAGES, 15_000);
          assert.deepEqual(got.map((m) => m.topic), payloads.map((_, n) => `fan/${n}`), `fan-${i} gets every message, in order`);
          for (const [n, m] of got.entries()) assert.ok(m.payload.equals(payloads[n]), `fan-${i}: payload of fan/${n} intact`);
          await client.endAsync();
        };
        await inSlices(range(0, SESSIONS / 2), receive);
        await countReaches(broker, `SELECT count(*) AS n FROM session_messages`, (MESSAGES * SESSIONS) / 2, 'references left once half the sessions acknowledged');
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), MESSAGES, 'kept while sessions still refer to them');

        await inSlices(range(SESSIONS / 2, SESSIONS), receive);
        await countReaches(broker, `SELECT count(*) AS n FROM session_messages`, 0, 'references left once every session acknowledged');
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), 0, 'nothing left behind');
      } finally {
        await broker?.close();
        await db.drop();
      }
    }, 120_000);

    it('keeps a stored message for the sessions left when others end, and deletes it with the last one', async () => {
      const db = await database(kind);
      let broker: TestBroker | undefined;
      try {
        broker = await startBrokerOn(db.options);
        for (const i of [0, 1, 2]) {
          const client = await connectClient(broker.url, { ...session(i), clean: true });
          await client.subscribeAsync('fan/#', { qos: 1 });
          await client.endAsync();
        }
        const publisher = await connectClient(broker.url);
        await publish(publisher, 'fan/x', randomBytes(1000), { qos: 1 });
        await publisher.endAsync();
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), 1);

        // A Clean Start discards a session's state [MQTT-3.1.2-4]; the message is still queued for the others.
        for (const i of [0, 1]) await (await connectClient(broker.url, { ...session(i), clean: true, properties: { sessionExpiryInterval: 0 } })).endAsync();
        await countReaches(broker, `SELECT count(*) AS n FROM session_messages`, 1, 'references left after two sessions ended');
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), 1);
        await (await connectClient(broker.url, { ...session(2), clean: true, properties: { sessionExpiryInterval: 0 } })).endAsync();
        await countReaches(broker, `SELECT count(*) AS n FROM stored_messages`, 0, 'stored messages left after the last session ended');
      } finally {
        await broker?.close();
        await db.drop();
      }
    }, 60_000);

    it('stores a retained message given to persistent subscribers at different times once, and keeps it across a restart', async () => {
      const db = await database(kind);
      let broker: TestBroker | undefined;
      try {
        broker = await startBrokerOn(db.options);
        const payload = randomBytes(50_000);
        const publisher = await connectClient(broker.url);
        await publish(publisher, 'kept/r', payload, { qos: 1, retain: true });
        await publisher.endAsync();
        // Each subscriber gets the same retained Message in a batch of its own, and leaves it unacknowledged.
        for (const [n, i] of [0, 1].entries()) {
          const raw = await RawClient.connected(broker.mqttPort, { ...session(i), clean: true });
          raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'kept/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
          await raw.expect(PacketType.Suback);
          assert.ok((await raw.expect(PacketType.Publish)).payload.equals(payload));
          await countReaches(broker, `SELECT count(*) AS n FROM session_messages`, n + 1, 'references to the retained message');
          raw.destroy();
        }
        assert.equal(await count(broker, `SELECT count(*) AS n FROM stored_messages`), 1);

        await broker.close();
        broker = await startBrokerOn(db.options);
        for (const i of [0, 1]) {
          const [client, inbox] = await connectWithInbox(broker.url, session(i));
          const [again] = await inbox.waitFor(1);
          assert.equal(again.packet.dup, true, 'resent: it was sent before the restart');
          assert.ok(again.payload.equals(payload));
          await client.endAsync();
        }
        await countReaches(broker, `SELECT count(*) AS n FROM stored_messages`, 0, 'stored messages left after both acknowledged');
      } finally {
        await broker?.close();
        await db.drop();
      }
    }, 60_000);
  });
}
