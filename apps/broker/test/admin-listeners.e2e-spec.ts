import assert from 'node:assert/strict';
import { Server, Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { MqttClient } from 'mqtt';
import { Inbox, closed, connectClient, publish, withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const ADMIN = { username: 'admin', password: 'admin-secret' };

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

interface Listener {
  id: string;
  kind: string;
  host: string;
  port: number;
  url: string;
  enabled: boolean;
  connections: number;
}

const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`;
const LISTENER_FIELDS = 'id kind host port url enabled connections';
const SET = `mutation ($l: String!, $e: Boolean!, $d: Boolean) { setListenerEnabled(listener: $l, enabled: $e, disconnectClients: $d) { ${LISTENER_FIELDS} } }`;
const STATUS = `{ brokerStatus { listeners { ${LISTENER_FIELDS} } } }`;

/** A GraphQL client over HTTP for one broker; bodies parsed in this realm (see admin-api.e2e-spec.ts). */
function graphql(broker: TestBroker) {
  const url = `http://127.0.0.1:${broker.port('http')}/graphql`;
  return async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<GraphQLAnswer<T>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return JSON.parse(await response.text()) as GraphQLAnswer<T>;
  };
}

function errorCode(answer: GraphQLAnswer<unknown>): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}

/** The error a TCP connect to the port ends with, or null when it is accepted. */
function tcpConnectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.connect(port, '127.0.0.1');
  });
}

/** The reason code of the DISCONNECT a 5.0 client is sent. */
function disconnectReason(client: MqttClient): Promise<number | undefined> {
  return new Promise((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
}

/** A client that publishes to itself: proof that its connection still works both ways. */
async function roundTrip(client: MqttClient, inbox: Inbox, topic: string): Promise<void> {
  const count = inbox.messages.length + 1;
  await publish(client, topic, `ping ${count}`, { qos: 1 });
  await inbox.waitFor(count);
}

describe('admin API: setListenerEnabled', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  let viewer: string;
  let mqttId: string;
  let wsId: string;
  const set = (listener: string, enabled: boolean, disconnectClients?: boolean, token = admin) =>
    gql<{ setListenerEnabled: Listener }>(SET, { l: listener, e: enabled, d: disconnectClients }, token);
  const listeners = async (): Promise<Listener[]> => {
    const answer = await gql<{ brokerStatus: { listeners: Listener[] } }>(STATUS, {}, viewer);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!.brokerStatus.listeners;
  };
  const listener = async (id: string): Promise<Listener> => (await listeners()).find((l) => l.id === id)!;

  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0, wsPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    const login = async (u: string, p: string): Promise<string> => {
      const answer = await gql<{ login: { accessToken: string } }>(LOGIN, { u, p }, '');
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return answer.data!.login.accessToken;
    };
    admin = await login(ADMIN.username, ADMIN.password);
    viewer = await login('watcher', 'watcher-secret');
    mqttId = `mqtt:${broker.mqttPort}`;
    wsId = `ws:${broker.port('ws')}`;
  });
  afterAll(() => broker.close());

  it('lists every listener in brokerStatus with its id, address, state and connections', async () => {
    const wsPort = broker.port('ws');
    assert.deepEqual(await listeners(), [
      { id: mqttId, kind: 'mqtt', host: '127.0.0.1', port: broker.mqttPort, url: `mqtt://127.0.0.1:${broker.mqttPort}`, enabled: true, connections: 0 },
      { id: wsId, kind: 'ws', host: '127.0.0.1', port: wsPort, url: `ws://127.0.0.1:${wsPort}/mqtt`, enabled: true, connections: 0 },
    ]);
  });

  it('disabled, the TCP listener refuses new clients while a connected one keeps publishing and receiving; enabled, it accepts them again on the same port', async () => {
    const staying = await connectClient(broker.url, { clientId: 'staying' });
    const inbox = new Inbox(staying);
    await staying.subscribeAsync('listeners/staying', { qos: 1 });

    const disabled = await set(mqttId, false);
    assert.equal(disabled.errors, undefined, JSON.stringify(disabled.errors));
    const off = { id: mqttId, kind: 'mqtt', host: '127.0.0.1', port: broker.mqttPort, url: broker.url, enabled: false, connections: 1 };
    assert.deepEqual(disabled.data!.setListenerEnabled, off);
    assert.deepEqual(await listener(mqttId), off, 'brokerStatus shows it');

    await assert.rejects(connectClient(broker.url, { clientId: 'refused', connectTimeout: 2000 }), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    await roundTrip(staying, inbox, 'listeners/staying');
    // The other listener is not affected, and the broker is still ready: one listener accepts.
    const overWs = await connectClient(`ws://127.0.0.1:${broker.port('ws')}/mqtt`, { clientId: 'over-ws' });
    await overWs.endAsync();
    const ready = await fetch(`http://127.0.0.1:${broker.port('http')}/ready`);
    assert.deepEqual([ready.status, JSON.parse(await ready.text())], [200, { status: 'ready', database: 'ok', listeners: 1 }]);

    assert.equal((await set(mqttId, false)).data?.setListenerEnabled.enabled, false, 'disabling twice changes nothing');
    const enabled = await set(mqttId, true);
    assert.equal(enabled.errors, undefined, JSON.stringify(enabled.errors));
    assert.deepEqual(enabled.data!.setListenerEnabled, { id: mqttId, kind: 'mqtt', host: '127.0.0.1', port: broker.mqttPort, url: broker.url, enabled: true, connections: 1 });
    const newcomer = await connectClient(broker.url, { clientId: 'newcomer' });
    await publish(newcomer, 'listeners/staying', 'from the newcomer', { qos: 1 });
    await inbox.waitFor(2);
    await roundTrip(staying, inbox, 'listeners/staying');
    assert.equal((await listener(mqttId)).connections, 2);
    await Promise.all([staying.endAsync(), newcomer.endAsync()]);
  });

  it('with disconnectClients, tells its MQTT 5.0 clients DISCONNECT 0x8B and closes its 3.1.1 clients; the other listener keeps its own', async () => {
    const v5 = await connectClient(broker.url, { clientId: 'told-v5' });
    const v311 = await connectClient(broker.url, { clientId: 'closed-v311', protocolVersion: 4 });
    const overWs = await connectClient(`ws://127.0.0.1:${broker.port('ws')}/mqtt`, { clientId: 'kept-ws' });
    const wsInbox = new Inbox(overWs);
    await overWs.subscribeAsync('listeners/ws', { qos: 1 });
    const reason = disconnectReason(v5);
    const gone = Promise.all([closed(v5), closed(v311)]);

    const answer = await set(mqttId, false, true);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(await withTimeout(reason, 5000, 'DISCONNECT'), ReasonCode.ServerShuttingDown);
    await withTimeout(gone, 5000, 'both clients closed');
    assert.deepEqual([answer.data!.setListenerEnabled.enabled, answer.data!.setListenerEnabled.connections], [false, 0], 'it answers once they are gone');
    await roundTrip(overWs, wsInbox, 'listeners/ws');
    assert.equal((await listener(wsId)).connections, 1);

    assert.equal((await set(mqttId, true)).errors, undefined);
    await overWs.endAsync();
  });

  it('disabled, the WebSocket listener refuses new connections and keeps its connected clients', async () => {
    const wsUrl = `ws://127.0.0.1:${broker.port('ws')}/mqtt`;
    const staying = await connectClient(wsUrl, { clientId: 'ws-staying' });
    const inbox = new Inbox(staying);
    await staying.subscribeAsync('listeners/ws-staying', { qos: 1 });
    assert.equal((await set(wsId, false)).data?.setListenerEnabled.enabled, false);
    assert.equal(await tcpConnectError(broker.port('ws')), 'ECONNREFUSED');
    await roundTrip(staying, inbox, 'listeners/ws-staying');
    assert.equal((await set(wsId, true)).data?.setListenerEnabled.enabled, true);
    const newcomer = await connectClient(wsUrl, { clientId: 'ws-newcomer' });
    await roundTrip(staying, inbox, 'listeners/ws-staying');
    await Promise.all([staying.endAsync(), newcomer.endAsync()]);
  });

  it('refuses a viewer (FORBIDDEN), an unknown listener (NOT_FOUND) and disconnectClients when enabling (BAD_USER_INPUT)', async () => {
    const forbidden = await set(mqttId, false, false, viewer);
    assert.equal(errorCode(forbidden), 'FORBIDDEN');
    assert.equal((await listener(mqttId)).enabled, true);

    const unknown = await set('tcp:1', false);
    assert.equal(errorCode(unknown), 'NOT_FOUND');
    assert.equal(unknown.errors![0].message, `no listener "tcp:1"; the listeners are: ${mqttId}, ${wsId}`);

    const mixed = await set(mqttId, true, true);
    assert.equal(errorCode(mixed), 'BAD_USER_INPUT');
    assert.match(mixed.errors![0].message, /disconnectClients applies when disabling/);
    assert.equal(JSON.stringify([forbidden, unknown, mixed]).includes('stacktrace'), false);
  });

  it('keeps the listener disabled, with a clear error, when its port was taken meanwhile; enables it once the port is free', async () => {
    const staying = await connectClient(broker.url, { clientId: 'port-taken' });
    assert.equal((await set(mqttId, false)).errors, undefined);
    const squatter = createServer();
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.listen(broker.mqttPort, '127.0.0.1', () => resolve());
    });
    try {
      const taken = await set(mqttId, true);
      assert.equal(errorCode(taken), 'LISTEN_FAILED');
      assert.equal(taken.errors![0].message, `cannot listen on 127.0.0.1:${broker.mqttPort} again (the port is taken); ${mqttId} stays disabled`);
      assert.deepEqual(await listener(mqttId), { id: mqttId, kind: 'mqtt', host: '127.0.0.1', port: broker.mqttPort, url: broker.url, enabled: false, connections: 1 });
      assert.ok(staying.connected, 'its client is still connected');
    } finally {
      await new Promise((resolve) => (squatter as Server).close(resolve));
    }
    assert.equal((await set(mqttId, true)).data?.setListenerEnabled.enabled, true);
    const newcomer = await connectClient(broker.url, { clientId: 'after-squatter' });
    await Promise.all([staying.endAsync(), newcomer.endAsync()]);
  });

  it('writes every change to the audit log: who, which listener, before and after', async () => {
    const client = await connectClient(broker.url, { clientId: 'audited' });
    const gone = closed(client);
    assert.equal((await set(mqttId, false, true)).errors, undefined);
    await gone;
    assert.equal((await set(mqttId, true)).errors, undefined);
    const log = await gql<{ auditLog: { entries: Array<{ actor: string; action: string; target: string; details: unknown }> } }>(`{ auditLog(first: 2) { entries { actor action target details } } }`, {}, admin);
    assert.equal(log.errors, undefined, JSON.stringify(log.errors));
    assert.deepEqual(log.data!.auditLog.entries, [
      {
        actor: 'admin',
        action: 'setListenerEnabled',
        target: mqttId,
        details: { before: { enabled: false, connections: 0 }, after: { enabled: true, connections: 0 }, disconnectClients: false, disconnected: 0 },
      },
      {
        actor: 'admin',
        action: 'setListenerEnabled',
        target: mqttId,
        details: { before: { enabled: true, connections: 1 }, after: { enabled: false, connections: 0 }, disconnectClients: true, disconnected: 1 },
      },
    ]);
  });
});

describe('admin API: a broker shut down with its listener disabled', () => {
  it('is not ready while no listener accepts, and still shuts down, telling the clients it kept DISCONNECT 0x8B', async () => {
    const broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    let closing: Promise<void> | undefined;
    try {
      const gql = graphql(broker);
      const admin = (await gql<{ login: { accessToken: string } }>(LOGIN, { u: ADMIN.username, p: ADMIN.password }, '')).data!.login.accessToken;
      const client = await connectClient(broker.url, { clientId: 'kept-until-shutdown' });
      const reason = disconnectReason(client);
      const answer = await gql<{ setListenerEnabled: Listener }>(SET, { l: `mqtt:${broker.mqttPort}`, e: false }, admin);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const ready = await fetch(`http://127.0.0.1:${broker.port('http')}/ready`);
      assert.deepEqual([ready.status, JSON.parse(await ready.text())], [503, { status: 'not ready', database: 'ok', listeners: 0 }]);
      closing = broker.close();
      assert.equal(await withTimeout(reason, 5000, 'DISCONNECT'), ReasonCode.ServerShuttingDown);
      await withTimeout(closing, 10_000, 'shutdown');
    } finally {
      if (closing === undefined) await broker.close();
    }
  });
});
