import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { DatabaseKind, createTestDatabase, databaseKinds, removeDataDir } from '@nestmq/persistence/testing';
import { connectClient, connectWithInbox, publish } from './support/clients';
import { freePort, spawnBroker } from './support/broker-process';

/** Where the broker keeps its data across restarts: a PostgreSQL database, or an embedded one on disk. */
async function storage(kind: DatabaseKind): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const db = await createTestDatabase('postgres');
    return { env: { DATABASE_URL: db.options.url! }, drop: db.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-durable-'));
  return { env: { DATA_DIR: dir }, drop: () => removeDataDir(dir) };
}

for (const kind of databaseKinds()) {
  describe(`sessions and retained messages survive a restart (${kind})`, () => {
    it('loses no acknowledged QoS 1/2 message to an offline persistent session when killed right after PUBACK', async () => {
      const store = await storage(kind);
      const port = await freePort();
      const env = { ...store.env, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' };
      const url = `mqtt://127.0.0.1:${port}`;
      const session = { clientId: 'offline', clean: false, properties: { sessionExpiryInterval: 600 } };
      try {
        let broker = await spawnBroker(env);
        const sub = await connectClient(url, { ...session, clean: true });
        await sub.subscribeAsync('durable/+', { qos: 2 });
        await sub.endAsync();
        const pub = await connectClient(url);
        const count = 200;
        // Every publish resolves on its PUBACK (QoS 1) or PUBCOMP (QoS 2); the last one resolves last.
        await Promise.all(Array.from({ length: count }, (_, i) => publish(pub, `durable/${i}`, String(i), { qos: i % 2 === 0 ? 1 : 2 })));
        broker.child.kill('SIGKILL');
        await broker.exited;
        pub.end(true);

        broker = await spawnBroker(env);
        const [back, inbox] = await connectWithInbox(url, session);
        const got = await inbox.waitFor(count, 15_000);
        const payloads = got.map((m) => Number(m.payload.toString()));
        assert.deepEqual([...payloads].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i), 'all of them, none twice');
        // In order per QoS: the client hands QoS 2 messages over only at PUBREL, so the two levels interleave.
        for (const parity of [0, 1]) {
          const level = payloads.filter((p) => p % 2 === parity);
          assert.deepEqual(level, [...level].sort((a, b) => a - b), `QoS ${parity + 1} in order`);
        }
        // Acknowledged by the subscriber now: after another restart they are gone.
        await back.endAsync();
        broker.child.kill('SIGTERM');
        await broker.exited;
        broker = await spawnBroker(env);
        const [again, nothing] = await connectWithInbox(url, session);
        const marker = await connectClient(url);
        await publish(marker, 'durable/marker', 'marker', { qos: 1 });
        assert.deepEqual((await nothing.waitFor(1)).map((m) => m.topic), ['durable/marker']);
        await Promise.all([again.endAsync(), marker.endAsync()]);
        broker.child.kill('SIGTERM');
        assert.equal(await broker.exited, 0);
      } finally {
        await store.drop();
      }
    });

    for (const stop of ['SIGTERM', 'SIGKILL'] as const) {
      it(`keeps persistent sessions, their subscriptions and retained messages across ${stop}`, async () => {
        const store = await storage(kind);
        const port = await freePort();
        const env = { ...store.env, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' };
        const url = `mqtt://127.0.0.1:${port}`;
        try {
          let broker = await spawnBroker(env);
          const durable = await connectClient(url, { clientId: 'durable', clean: true, properties: { sessionExpiryInterval: 300 } });
          await durable.subscribeAsync('d/+', { qos: 1 });
          await durable.endAsync();
          const transient = await connectClient(url, { clientId: 'transient', clean: true });
          await transient.subscribeAsync('t/+', { qos: 1 });
          await publish(transient, 'r/t', 'retained value', { qos: 1, retain: true });
          await publish(transient, 'r/gone', 'soon deleted', { qos: 1, retain: true });
          await publish(transient, 'r/gone', '', { qos: 1, retain: true });
          await transient.endAsync();
          // SUBACK and PUBACK come after the commit: killing the broker right away loses nothing.
          broker.child.kill(stop);
          await broker.exited;

          broker = await spawnBroker(env);
          assert.match(broker.output(), /restored 1 session\(s\) and 1 retained message\(s\)/);
          const [back, inbox] = await connectWithInbox(url, { clientId: 'durable', clean: false, properties: { sessionExpiryInterval: 300 } });
          const publisher = await connectClient(url);
          await publish(publisher, 'd/x', 'after restart', { qos: 1 });
          assert.equal((await inbox.waitFor(1))[0].payload.toString(), 'after restart');
          const [reader, retained] = await connectWithInbox(url);
          await reader.subscribeAsync('r/#', { qos: 1 });
          const got = await retained.waitFor(1);
          assert.deepEqual(got.map((m) => [m.topic, m.payload.toString(), m.packet.retain]), [['r/t', 'retained value', true]]);
          await Promise.all([back.endAsync(), publisher.endAsync(), reader.endAsync()]);
          broker.child.kill('SIGTERM');
          assert.equal(await broker.exited, 0);
        } finally {
          await store.drop();
        }
      });
    }
  });
}
