import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { AuthPacket, ConnackPacket, ConnectPacket, Packet, PacketType, ProtocolVersion, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent, UserRepository } from '@nestmq/persistence';
import mqtt from 'mqtt';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { ADMIN, graphql, rest, signIn } from './support/admin-api';
import { eventuallyAsync, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { ScramClient } from '@nestmq/mqtt-protocol/scram-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const METHOD = 'SCRAM-SHA-256';
const SECRET = 'a-test-secret-of-at-least-32-characters';

let ids = 0;
const clientId = (): string => `scram-${++ids}-${Math.random().toString(36).slice(2, 8)}`;

function connectPacket(extra: Partial<ConnectPacket>, version: ProtocolVersion = 5): ConnectPacket {
  return { type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: clientId(), ...extra };
}

/** CONNECT with SCRAM's client-first-message; the server's AUTH 0x18 (or its refusal) comes back. */
async function begin(port: number, scram: ScramClient, extra: Partial<ConnectPacket> = {}): Promise<{ raw: RawClient; reply: Packet }> {
  const raw = await RawClient.open(port);
  raw.send(connectPacket({ properties: { authenticationMethod: METHOD, authenticationData: scram.first() }, ...extra }));
  return { raw, reply: await raw.next() };
}

/** The whole exchange at CONNECT through our codec; the CONNACK that ends it. */
async function scramConnect(port: number, scram: ScramClient, extra: Partial<ConnectPacket> = {}): Promise<{ raw: RawClient; connack: ConnackPacket }> {
  const { raw, reply } = await begin(port, scram, extra);
  if (reply.type === PacketType.Connack) return { raw, connack: reply };
  const auth = asAuth(reply);
  // [MQTT-4.12.0-2] the server's AUTH is Continue authentication; [MQTT-4.12.0-5] with the method of CONNECT.
  assert.equal(auth.reasonCode, ReasonCode.ContinueAuthentication);
  assert.equal(auth.properties?.authenticationMethod, METHOD);
  raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: scram.final(auth.properties!.authenticationData!) } });
  return { raw, connack: await raw.expect(PacketType.Connack) };
}

function asAuth(packet: Packet): AuthPacket {
  if (packet.type !== PacketType.Auth) throw new Error(`expected AUTH, got ${JSON.stringify(packet)}`);
  return packet;
}

async function passwordConnack(port: number, username: string, password: string, version: ProtocolVersion = 5): Promise<number> {
  const raw = await RawClient.open(port, version);
  raw.send(connectPacket({ username, password: Buffer.from(password) }, version));
  const connack = await raw.expect(PacketType.Connack);
  raw.destroy();
  return connack.reasonCode;
}

async function eventsOf(broker: TestBroker, id: string): Promise<StoredSessionEvent[]> {
  await broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER)?.flush();
  return (await broker.app.get(SessionEventRepository).ofClient(id, 20)).events;
}

const publish = (raw: RawClient, packetId: number, topic = 'scram/t'): void =>
  raw.send({ type: PacketType.Publish, topic, payload: Buffer.from('x'), qos: 1, retain: false, dup: false, packetId });

describe('SCRAM-SHA-256 enhanced authentication (MQTT 5.0 §4.12, RFC 5802, RFC 7677)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(
      { httpPort: 0 },
      // Every test comes from 127.0.0.1 and some fail on purpose: the throttle has its own broker below.
      { ALLOW_ANONYMOUS: 'false', AUTH_USERS: 'sensor:s3cret', ADMIN_JWT_SECRET: SECRET, LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '0' },
    );
    await broker.app.get(UserRepository).create({ username: 'alice', password: 'wonderland' });
  });
  afterAll(() => broker?.close());

  it('the test client reproduces RFC 7677\'s example, so it is checked against the RFC, not against the broker', () => {
    const client = new ScramClient('user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
    assert.equal(client.first().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = client.final(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    assert.equal(final.toString(), 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(client.serverIsAuthentic(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), true);
  });

  it('lets a user of the table in: AUTH 0x18 server-first, then CONNACK 0x00 with the method and server-final [MQTT-4.12.0-2] [MQTT-4.12.0-5]', async () => {
    const scram = new ScramClient('alice', 'wonderland');
    const { raw, connack } = await scramConnect(broker.mqttPort, scram, { clientId: 'scram-alice' });
    assert.equal(connack.reasonCode, ReasonCode.Success);
    assert.equal(connack.properties?.authenticationMethod, METHOD);
    assert.equal(scram.serverIsAuthentic(connack.properties?.authenticationData), true, 'the server proved it knows the keys');
    assert.equal(scram.iterations, 4096);
    publish(raw, 1);
    assert.ok([0, ReasonCode.NoMatchingSubscribers].includes((await raw.expect(PacketType.Puback)).reasonCode), 'connected as alice');
    raw.destroy();
    const connect = (await eventsOf(broker, 'scram-alice')).find((e) => e.action === 'connect')!;
    assert.equal(connect.username, 'alice');
    assert.equal(connect.details!.authenticator, 'scram');
    assert.equal(connect.details!.authReason, 'SCRAM-SHA-256 proof matches');
  });

  it('lets an AUTH_USERS user in, with a user name that needs escaping or not', async () => {
    const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('sensor', 's3cret'));
    assert.equal(connack.reasonCode, ReasonCode.Success);
    raw.destroy();
    await broker.app.get(UserRepository).create({ username: 'odd,name=1', password: 'pw' });
    const odd = await scramConnect(broker.mqttPort, new ScramClient('odd,name=1', 'pw'));
    assert.equal(odd.connack.reasonCode, ReasonCode.Success, 'n=odd=2Cname=3D1');
    odd.raw.destroy();
  });

  it('refuses a wrong password with CONNACK 0x86 and e=invalid-proof, recorded as decided by scram [MQTT-4.12.0-4]', async () => {
    const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('alice', 'wrong'), { clientId: 'scram-wrong' });
    assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    assert.equal(connack.properties?.authenticationMethod, METHOD);
    assert.equal(connack.properties?.authenticationData?.toString(), 'e=invalid-proof');
    await withTimeout(raw.closed, 5000, 'the connection is closed');
    const refused = (await eventsOf(broker, 'scram-wrong')).find((e) => e.action === 'connect_refused')!;
    assert.equal(refused.username, 'alice');
    assert.equal(refused.details!.authenticator, 'scram');
    assert.equal(refused.details!.reasonCode, ReasonCode.BadUserNameOrPassword);
  });

  it('answers an unknown user as a wrong password: a salt that is the same on every try, the usual iterations, the same refusal and reason', async () => {
    const attempt = async (name: string, password: string) => {
      const scram = new ScramClient(name, password);
      const id = clientId();
      const { raw, connack } = await scramConnect(broker.mqttPort, scram, { clientId: id });
      raw.destroy();
      const refused = (await eventsOf(broker, id)).find((e) => e.action === 'connect_refused')!;
      return { scram, connack, reason: refused.details!.authReason };
    };
    const ghost1 = await attempt('ghost', 'wonderland');
    const ghost2 = await attempt('ghost', 'other');
    const wrong = await attempt('alice', 'nope');
    assert.deepEqual(ghost1.scram.salt, ghost2.scram.salt, 'a made-up salt does not change between tries');
    assert.notDeepEqual((await attempt('ghost-2', 'x')).scram.salt, ghost1.scram.salt);
    assert.equal(ghost1.scram.salt!.length, wrong.scram.salt!.length);
    assert.equal(ghost1.scram.iterations, wrong.scram.iterations);
    assert.deepEqual(ghost1.connack, wrong.connack, 'the same CONNACK, byte for byte in meaning');
    assert.equal(ghost1.reason, wrong.reason, 'the log does not tell them apart either');
  });

  it('takes as long for an unknown user as for a wrong password, of a table or an AUTH_USERS user (medians of 15, within a factor of 3)', async () => {
    const once = async (name: string): Promise<number> => {
      const scram = new ScramClient(name, 'not-the-password');
      const raw = await RawClient.open(broker.mqttPort);
      const started = performance.now();
      raw.send(connectPacket({ properties: { authenticationMethod: METHOD, authenticationData: scram.first() } }));
      const auth = asAuth(await raw.next());
      // The client's PBKDF2 is not the server's time: computed before the clock runs again.
      const final = scram.final(auth.properties!.authenticationData!);
      const firstLeg = performance.now() - started;
      const secondStart = performance.now();
      raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: final } });
      assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.BadUserNameOrPassword);
      const ms = firstLeg + performance.now() - secondStart;
      raw.destroy();
      return ms;
    };
    // Interleaved, one of each per round, so that warming up and a noisy neighbour weigh on every name alike.
    const samples: Record<'alice' | 'nobody-at-all' | 'sensor', number[]> = { alice: [], 'nobody-at-all': [], sensor: [] };
    for (let i = 0; i < 15; i++) for (const name of ['alice', 'nobody-at-all', 'sensor'] as const) samples[name].push(await once(name));
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[7];
    const known = median(samples.alice);
    const unknown = median(samples['nobody-at-all']);
    const fixed = median(samples.sensor);
    const medians = `medians: wrong password ${known.toFixed(2)} ms, unknown user ${unknown.toFixed(2)} ms, AUTH_USERS user ${fixed.toFixed(2)} ms`;
    assert.ok(unknown > known / 3 && unknown < known * 3, medians);
    assert.ok(fixed > unknown / 3 && fixed < unknown * 3, `the table is read for static names too; ${medians}`);
  });

  it('refuses a method it does not offer with CONNACK 0x8C Bad authentication method, without an exchange [MQTT-4.12.0-1]', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send(connectPacket({ properties: { authenticationMethod: 'SCRAM-SHA-1', authenticationData: Buffer.from('n,,n=alice,r=x') } }));
    assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.BadAuthenticationMethod);
    await withTimeout(raw.closed, 5000, 'closed');
    const lower = await RawClient.open(broker.mqttPort);
    lower.send(connectPacket({ properties: { authenticationMethod: 'scram-sha-256' } }));
    assert.equal((await lower.expect(PacketType.Connack)).reasonCode, ReasonCode.BadAuthenticationMethod, 'method names are compared exactly');
    lower.destroy();
  });

  it('refuses another Authentication Method, or another reason code, in the client\'s AUTH with CONNACK 0x82 [MQTT-4.12.0-5] [MQTT-4.12.0-3]', async () => {
    for (const [properties, reasonCode] of [
      [{ authenticationMethod: 'SCRAM-SHA-512' }, ReasonCode.ContinueAuthentication],
      [{ authenticationMethod: METHOD }, ReasonCode.ReAuthenticate],
      [{ authenticationMethod: METHOD }, ReasonCode.Success],
    ] as const) {
      const scram = new ScramClient('alice', 'wonderland');
      const { raw, reply } = await begin(broker.mqttPort, scram);
      const auth = asAuth(reply);
      raw.send({ type: PacketType.Auth, reasonCode, properties: { ...properties, authenticationData: scram.final(auth.properties!.authenticationData!) } });
      assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.ProtocolError, JSON.stringify([properties, reasonCode]));
      await withTimeout(raw.closed, 5000, 'closed');
    }
  });

  it('answers a malformed AUTH mid-exchange with CONNACK: no Authentication Method 0x82 (§3.15.2.2.2), a bad Remaining Length 0x81', async () => {
    for (const [bytes, code] of [
      [Buffer.from([0xf0, 0x02, 0x18, 0x00]), ReasonCode.ProtocolError],
      [Buffer.from([0xf0, 0x03, 0x18, 0x05, 0x15]), ReasonCode.MalformedPacket],
    ] as const) {
      const { raw, reply } = await begin(broker.mqttPort, new ScramClient('alice', 'wonderland'));
      asAuth(reply);
      raw.sendBytes(bytes);
      assert.equal((await raw.expect(PacketType.Connack)).reasonCode, code, bytes.toString('hex'));
      await withTimeout(raw.closed, 5000, 'closed');
    }
  });

  it('refuses any packet but AUTH or DISCONNECT before CONNACK with 0x82 [MQTT-3.1.2-30], and ends quietly on DISCONNECT', async () => {
    const packets: Packet[] = [
      { type: PacketType.Publish, topic: 'early', payload: Buffer.from('x'), qos: 0, retain: false, dup: false },
      { type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: '#', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }] },
      { type: PacketType.Pingreq },
      connectPacket({}),
    ];
    for (const packet of packets) {
      const { raw, reply } = await begin(broker.mqttPort, new ScramClient('alice', 'wonderland'));
      asAuth(reply);
      raw.send(packet);
      assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.ProtocolError, `after ${packet.type}`);
      await withTimeout(raw.closed, 5000, 'closed');
    }
    const { raw, reply } = await begin(broker.mqttPort, new ScramClient('alice', 'wonderland'));
    asAuth(reply);
    raw.send({ type: PacketType.Disconnect, reasonCode: 0 });
    await withTimeout(raw.closed, 5000, 'closed after DISCONNECT');
  });

  it('closes a connection whose first packet is AUTH, and answers AUTH from a client that did not use enhanced authentication with DISCONNECT 0x82 [MQTT-3.1.0-1] [MQTT-4.12.0-7]', async () => {
    const first = await RawClient.open(broker.mqttPort);
    first.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD } });
    await withTimeout(first.closed, 5000, 'closed');
    const plain = await RawClient.connected(broker.mqttPort, { username: 'sensor', password: Buffer.from('s3cret') });
    plain.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('sensor', 's3cret').first() } });
    assert.equal((await plain.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ProtocolError);
    await withTimeout(plain.closed, 5000, 'closed');
  });

  it('refuses malformed SCRAM messages with CONNACK 0x87 and the e= value RFC 5802 names, and keeps serving', async () => {
    const firsts: Array<[Buffer | undefined, string]> = [
      [Buffer.from('p=tls-unique,,n=alice,r=abc'), 'e=channel-binding-not-supported'],
      [Buffer.from('n,a=admin,n=alice,r=abc'), 'e=other-error'],
      [Buffer.from('n,,n=alice'), 'e=invalid-encoding'],
      [Buffer.from('n,,n=al=ice,r=abc'), 'e=invalid-username-encoding'],
      [Buffer.from('n,,m=x,n=alice,r=abc'), 'e=extensions-not-supported'],
      [Buffer.from([0x6e, 0x2c, 0x2c, 0xff, 0xfe]), 'e=invalid-encoding'],
      [Buffer.alloc(60_000, 0x61), 'e=invalid-encoding'],
      [undefined, 'e=invalid-encoding'],
    ];
    for (const [data, error] of firsts) {
      const raw = await RawClient.open(broker.mqttPort);
      raw.send(connectPacket({ properties: { authenticationMethod: METHOD, ...(data && { authenticationData: data }) } }));
      const connack = await raw.expect(PacketType.Connack);
      assert.equal(connack.reasonCode, ReasonCode.NotAuthorized, String(data?.subarray(0, 20)));
      assert.equal(connack.properties?.authenticationData?.toString(), error);
      assert.ok(connack.properties?.reasonString?.startsWith('SCRAM: '), 'a Reason String says what was wrong');
      raw.destroy();
    }
    const finals: Array<[Parameters<ScramClient['final']>[1], string]> = [
      [{ nonce: 'not-the-servers-nonce' }, 'e=invalid-proof'],
      [{ channelBinding: Buffer.from('y,,').toString('base64') }, 'e=channel-bindings-dont-match'],
      [{ channelBinding: 'bi*ws' }, 'e=invalid-encoding'],
      [{ proof: (p) => p.subarray(0, 16) }, 'e=invalid-encoding'],
    ];
    for (const [tamper, error] of finals) {
      const scram = new ScramClient('alice', 'wonderland');
      const { raw, reply } = await begin(broker.mqttPort, scram);
      const auth = asAuth(reply);
      raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: scram.final(auth.properties!.authenticationData!, tamper) } });
      const connack = await raw.expect(PacketType.Connack);
      assert.equal(connack.reasonCode, ReasonCode.NotAuthorized, JSON.stringify(tamper));
      assert.equal(connack.properties?.authenticationData?.toString(), error);
      raw.destroy();
    }
    const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('alice', 'wonderland'));
    assert.equal(connack.reasonCode, ReasonCode.Success, 'still serving');
    raw.destroy();
  });

  it('re-authenticates a live connection: AUTH 0x19, the same exchange, AUTH 0x00 with server-final, while its other traffic flows [MQTT-4.12.1-1]', async () => {
    const id = clientId();
    const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('alice', 'wonderland'), { clientId: id });
    assert.equal(connack.reasonCode, ReasonCode.Success);
    const again = new ScramClient('alice', 'wonderland');
    raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: again.first() } });
    const serverFirst = asAuth(await raw.next());
    assert.equal(serverFirst.reasonCode, ReasonCode.ContinueAuthentication);
    assert.equal(serverFirst.properties?.authenticationMethod, METHOD);
    // Mid-exchange, under the authentication it has: a PUBLISH is acknowledged, a PINGREQ answered.
    publish(raw, 9);
    assert.equal((await raw.expect(PacketType.Puback)).packetId, 9);
    raw.send({ type: PacketType.Pingreq });
    await raw.expect(PacketType.Pingresp);
    raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: again.final(serverFirst.properties!.authenticationData!) } });
    const success = asAuth(await raw.next());
    assert.equal(success.reasonCode, ReasonCode.Success);
    assert.equal(success.properties?.authenticationMethod, METHOD);
    assert.equal(again.serverIsAuthentic(success.properties?.authenticationData), true);
    publish(raw, 10);
    assert.equal((await raw.expect(PacketType.Puback)).packetId, 10, 'still connected');
    raw.destroy();
    const event = (await eventsOf(broker, id)).find((e) => e.action === 'reauthenticate')!;
    assert.equal(event.details!.reasonCode, 0);
    assert.equal(event.details!.authenticator, 'scram');
  });

  it('ends the connection with DISCONNECT 0x87 when re-authentication fails: a wrong password, or another user [MQTT-4.12.1-2]', async () => {
    for (const [name, password] of [['alice', 'wrong'], ['sensor', 's3cret']]) {
      const id = clientId();
      const { raw } = await scramConnect(broker.mqttPort, new ScramClient('alice', 'wonderland'), { clientId: id });
      const again = new ScramClient(name, password);
      raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: again.first() } });
      const reply = await raw.next();
      if (reply.type === PacketType.Auth) {
        raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: again.final(reply.properties!.authenticationData!) } });
      }
      const disconnect = reply.type === PacketType.Disconnect ? reply : await raw.expect(PacketType.Disconnect);
      assert.equal(disconnect.reasonCode, ReasonCode.NotAuthorized, name);
      await withTimeout(raw.closed, 5000, 'closed');
      const events = await eventsOf(broker, id);
      assert.equal(events.find((e) => e.action === 'reauthenticate')!.details!.reasonCode, ReasonCode.NotAuthorized);
    }
  });

  it('answers a re-authentication out of order with DISCONNECT 0x82: another method, Continue unasked, Re-authenticate twice [MQTT-4.12.1-1]', async () => {
    const cases: Array<(raw: RawClient) => void> = [
      (raw) => raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: 'OTHER', authenticationData: new ScramClient('alice', 'wonderland').first() } }),
      (raw) => raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: Buffer.from('c=biws') } }),
      (raw) => {
        raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('alice', 'wonderland').first() } });
        raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('alice', 'wonderland').first() } });
      },
    ];
    for (const [i, send] of cases.entries()) {
      const { raw } = await scramConnect(broker.mqttPort, new ScramClient('alice', 'wonderland'));
      send(raw);
      let packet = await raw.next();
      if (packet.type === PacketType.Auth) packet = await raw.next();
      assert.equal(packet.type === PacketType.Disconnect && packet.reasonCode, ReasonCode.ProtocolError, `case ${i}`);
      await withTimeout(raw.closed, 5000, 'closed');
    }
  });

  it('lets a user created, then changed, through the admin API log in with SCRAM at once; the old password no longer does', async () => {
    const token = await signIn(broker, ADMIN.username, ADMIN.password);
    const gql = graphql(broker);
    const created = await gql(`mutation { createUser(input: { username: "api-user", password: "first-pw" }) { username } }`, {}, token);
    assert.equal(created.errors, undefined);
    let attempt = await scramConnect(broker.mqttPort, new ScramClient('api-user', 'first-pw'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.Success);
    attempt.raw.destroy();
    const changed = await rest(broker)('PATCH', '/users/api-user', { token, body: { password: 'second-pw' } });
    assert.equal(changed.status, 200);
    attempt = await scramConnect(broker.mqttPort, new ScramClient('api-user', 'first-pw'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    attempt.raw.destroy();
    attempt = await scramConnect(broker.mqttPort, new ScramClient('api-user', 'second-pw'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.Success);
    attempt.raw.destroy();
    const imported = await gql(`mutation { importUsers(users: [{ username: "imported", password: "imp-pw", roles: [], enabled: true }]) { created } }`, {}, token);
    assert.equal(imported.errors, undefined, JSON.stringify(imported.errors));
    attempt = await scramConnect(broker.mqttPort, new ScramClient('imported', 'imp-pw'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.Success);
    attempt.raw.destroy();
  });

  it('never shows SCRAM credentials in the admin API: users (GraphQL, REST), the export, the session events', async () => {
    const token = await signIn(broker, ADMIN.username, ADMIN.password);
    const stored = (await broker.app.get(UserRepository).findByUsername('alice'))!.scramSha256!;
    const [, , keys] = stored.split('$');
    const [storedKey, serverKey] = keys.split(':');
    const answers = [
      JSON.stringify(await graphql(broker)(`{ users { username roles enabled createdAt updatedAt } }`, {}, token)),
      JSON.stringify(await graphql(broker)(`{ exportUsers { username passwordHash } }`, {}, token)),
      await (await rest(broker)('GET', '/users', { token })).text(),
      await (await rest(broker)('GET', '/users/alice', { token })).text(),
      await (await rest(broker)('GET', '/users/export', { token })).text(),
      await (await rest(broker)('GET', '/session-events', { token, query: { first: 500 } })).text(),
      await (await rest(broker)('GET', '/settings', { token })).text(),
    ];
    assert.match(answers[0], /"username":"alice"/);
    assert.match(answers[1], /passwordHash/);
    assert.match(answers[4], /"passwordHash"/);
    assert.match(answers[5], /reauthenticate|connect/, 'the session events were read');
    for (const answer of answers) {
      for (const secret of ['SCRAM-SHA-256$', storedKey, serverKey]) assert.ok(!answer.includes(secret), `${secret.slice(0, 12)}... in ${answer.slice(0, 80)}`);
    }
    assert.match(answers[6], /AUTH_METHODS/);
  });

  it('upgrades a user made before SCRAM credentials existed on its next password login', async () => {
    const users = broker.app.get(UserRepository);
    await users.create({ username: 'legacy', password: 'old-times' });
    await users.upsertWithHashes([{ username: 'legacy', passwordHash: (await users.findByUsername('legacy'))!.passwordHash, roles: [], enabled: true }]);
    assert.equal((await users.findByUsername('legacy'))!.scramSha256, null, 'as the migration leaves it');
    const token = await signIn(broker, ADMIN.username, ADMIN.password);
    const scramFlag = async (): Promise<boolean> => {
      const answer = await graphql(broker)(`{ users { username scram } }`, {}, token);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return (answer.data as { users: Array<{ username: string; scram: boolean }> }).users.find((u) => u.username === 'legacy')!.scram;
    };
    assert.equal(await scramFlag(), false, 'the admin API says who still needs a password login');
    let attempt = await scramConnect(broker.mqttPort, new ScramClient('legacy', 'old-times'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.BadUserNameOrPassword, 'no credentials yet: refused like a wrong password');
    attempt.raw.destroy();
    assert.equal(await passwordConnack(broker.mqttPort, 'legacy', 'old-times'), ReasonCode.Success);
    await eventuallyAsync(async () => (await users.findByUsername('legacy'))!.scramSha256 !== null, 10_000, 'credentials filled in');
    assert.equal(await scramFlag(), true);
    attempt = await scramConnect(broker.mqttPort, new ScramClient('legacy', 'old-times'));
    assert.equal(attempt.connack.reasonCode, ReasonCode.Success);
    attempt.raw.destroy();
  });

  it('leaves MQTT 3.1.1 as it was: password logins work, and AUTH is a malformed packet there', async () => {
    assert.equal(await passwordConnack(broker.mqttPort, 'sensor', 's3cret', 4), 0);
    assert.equal(await passwordConnack(broker.mqttPort, 'alice', 'wonderland', 4), 0);
    assert.equal(await passwordConnack(broker.mqttPort, 'alice', 'wrong', 4), 4);
    const raw = await RawClient.connected(broker.mqttPort, { username: 'sensor', password: Buffer.from('s3cret') }, 4);
    raw.sendBytes(Buffer.from([0xf0, 0x00]));
    await withTimeout(raw.closed, 5000, 'closed');
  });

  it('works with the mqtt package as the README shows: the client-first message in CONNECT, handleAuth for the rest', async () => {
    const scram = new ScramClient('alice', 'wonderland');
    const client = mqtt.connect(`mqtt://127.0.0.1:${broker.mqttPort}`, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      properties: { authenticationMethod: METHOD, authenticationData: scram.first() },
    });
    client.handleAuth = (packet, callback) =>
      callback(undefined, { cmd: 'auth', reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: METHOD, authenticationData: scram.final(packet.properties!.authenticationData!) } });
    const connack = await withTimeout(
      new Promise<mqtt.IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      }),
      5000,
      'CONNACK',
    );
    assert.equal(scram.serverIsAuthentic(connack.properties?.authenticationData), true);
    await client.publishAsync('scram/mqttjs', 'hello', { qos: 1 });
    await client.endAsync();
  });
});

describe('SCRAM-SHA-256 with the login throttle, a short CONNECT_TIMEOUT, and switched off', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ connectTimeout: 1 }, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: 'dev:dev-pw', LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '2' });
  });
  afterAll(() => broker?.close());

  it('counts failed proofs with failed passwords: past the limit both are refused with 0x9F, recorded as throttled', async () => {
    for (let i = 0; i < 2; i++) {
      const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('dev', `guess-${i}`));
      assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
      raw.destroy();
    }
    const id = clientId();
    const { raw, reply } = await begin(broker.mqttPort, new ScramClient('dev', 'dev-pw'), { clientId: id });
    assert.equal(reply.type === PacketType.Connack && reply.reasonCode, ReasonCode.ConnectionRateExceeded, 'refused at client-first');
    raw.destroy();
    assert.equal(await passwordConnack(broker.mqttPort, 'dev', 'dev-pw'), ReasonCode.ConnectionRateExceeded, 'the password path shares the count');
    const refused = (await eventsOf(broker, id)).find((e) => e.action === 'connect_refused')!;
    assert.equal(refused.details!.throttled, 'username');
  });

  it('closes a client that goes silent mid-exchange at CONNECT_TIMEOUT, without a CONNACK, while others connect', async () => {
    const { raw, reply } = await begin(broker.mqttPort, new ScramClient('someone', 'x'));
    asAuth(reply);
    const other = await RawClient.connected(broker.mqttPort, { username: 'dev2', password: Buffer.from('x') }).catch((e: Error) => e.message);
    assert.equal(other, 'CONNACK 134', 'another client was answered meanwhile');
    await withTimeout(raw.closed, 10_000, 'closed at the connect timeout');
    await assert.rejects(raw.next(100), /closed/);
  });
});

describe('re-authentication left unfinished', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ connectTimeout: 1 }, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: 'quiet:q-pw' });
  });
  afterAll(() => broker?.close());

  it('ends with DISCONNECT 0x87 once CONNECT_TIMEOUT passes without the client\'s answer [MQTT-4.12.1-2]', async () => {
    const { raw, connack } = await scramConnect(broker.mqttPort, new ScramClient('quiet', 'q-pw'));
    assert.equal(connack.reasonCode, ReasonCode.Success);
    raw.send({ type: PacketType.Auth, reasonCode: ReasonCode.ReAuthenticate, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('quiet', 'q-pw').first() } });
    assert.equal(asAuth(await raw.next()).reasonCode, ReasonCode.ContinueAuthentication);
    const disconnect = await raw.expect(PacketType.Disconnect, 10_000);
    assert.equal(disconnect.reasonCode, ReasonCode.NotAuthorized);
    assert.match(disconnect.properties?.reasonString ?? '', /not completed in time/);
    await withTimeout(raw.closed, 5000, 'closed');
  });
});

describe('AUTH_METHODS=none', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: 'dev:dev-pw', AUTH_METHODS: 'none' });
  });
  afterAll(() => broker?.close());

  it('offers no enhanced authentication: SCRAM-SHA-256 gets CONNACK 0x8C [MQTT-4.12.0-1]', async () => {
    const { raw, reply } = await begin(broker.mqttPort, new ScramClient('dev', 'dev-pw'));
    assert.equal(reply.type === PacketType.Connack && reply.reasonCode, ReasonCode.BadAuthenticationMethod);
    raw.destroy();
  });
});
