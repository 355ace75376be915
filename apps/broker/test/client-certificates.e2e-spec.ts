import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConnectPacket, PacketType, ProtocolVersion, QoS, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent } from '@nestmq/persistence';
import { CertificateIdentityKind, identityOf } from '../src/auth/cert/certificate-identity';
import { TopicAcl } from '../src/auth/topic-acl';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { Issued, TestPki } from './support/certificates';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

let pki: TestPki;
let ca: Issued;
let server: Issued;
/** CN device-1, with one SAN of each kind. */
let device1: Issued;
/** CN device-2, no SAN. */
let device2: Issued;
/** CN device-1 and device-1's SANs, signed by a CA the broker does not trust. */
let rogue: Issued;

beforeAll(() => {
  pki = new TestPki();
  ca = pki.authority('ca');
  const otherCa = pki.authority('other-ca');
  server = pki.leaf(ca, 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
  const san = 'DNS:dev1.plant.example,email:dev1@plant.example,URI:spiffe://plant.example/dev1';
  device1 = pki.leaf(ca, 'device-1', '/CN=device-1/O=Plant', san, 'clientAuth');
  device2 = pki.leaf(ca, 'device-2', '/CN=device-2', undefined, 'clientAuth');
  rogue = pki.leaf(otherCa, 'rogue', '/CN=device-1/O=Plant', san, 'clientAuth');
});
afterAll(() => pki?.remove());

function brokerEnv(identity: CertificateIdentityKind, mode: 'required' | 'optional'): Record<string, string> {
  return {
    // Validated as the broker would read them; the test broker then binds MQTTS to an ephemeral port.
    MQTTS_PORT: '8883',
    TLS_CERT_FILE: server.certFile,
    TLS_KEY_FILE: server.keyFile,
    TLS_CA_FILE: ca.certFile,
    TLS_CLIENT_CERT: mode,
    TLS_IDENTITY: identity,
    AUTH_CHAIN: 'cert,local',
    AUTH_USERS: 'loc:loc-pw',
    ALLOW_ANONYMOUS: 'false',
  };
}

const id = (): string => `cc-${Math.random().toString(36).slice(2)}`;

/** CONNECT over TLS with `client`'s certificate (none: undefined); the CONNACK's code. */
async function tlsCode(broker: TestBroker, client: Issued | undefined, connect: Partial<ConnectPacket> = {}, version: ProtocolVersion = 5): Promise<{ code: number; raw: RawClient }> {
  const raw = await RawClient.openTls(broker.port('mqtts'), { ca: ca.cert, ...(client && { cert: client.cert, key: client.key }) }, version);
  raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: id(), ...connect } as ConnectPacket);
  return { code: (await raw.expect(PacketType.Connack)).reasonCode, raw };
}

async function codeOf(broker: TestBroker, client: Issued | undefined, connect: Partial<ConnectPacket> = {}, version: ProtocolVersion = 5): Promise<number> {
  const { code, raw } = await tlsCode(broker, client, connect, version);
  raw.destroy();
  return code;
}

/** The TLS handshake is refused: it fails, or (TLS 1.3, where the client finishes first) the socket closes before any CONNACK. */
async function refusedAtTls(broker: TestBroker, client: Issued | undefined): Promise<void> {
  let raw: RawClient;
  try {
    raw = await RawClient.openTls(broker.port('mqtts'), { ca: ca.cert, ...(client && { cert: client.cert, key: client.key }) });
  } catch {
    return;
  }
  raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: id() } as ConnectPacket);
  await assert.rejects(raw.next(), /closed before a packet arrived/);
  raw.destroy();
}

async function eventOf(broker: TestBroker, clientId: string, action: string): Promise<StoredSessionEvent> {
  await broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER)?.flush();
  const event = (await broker.app.get(SessionEventRepository).ofClient(clientId, 10)).events.find((e) => e.action === action);
  if (event === undefined) throw new Error(`no ${action} event for ${clientId}`);
  return event;
}

const sub = (topicFilter: string, qos: QoS = 1) => ({ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 as const });

describe('TLS_IDENTITY=cn, TLS_CLIENT_CERT=required, AUTH_CHAIN=cert,local', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    // Each certificate's identity may use its own subtree only: %u is the certificate's name.
    broker = await startTestBroker({ mqttsPort: 0, acl: TopicAcl.parse('pattern readwrite devices/%u/#') }, brokerEnv('cn', 'required'));
  });
  afterAll(() => broker?.close());

  it('lets a client in under its certificate\'s Common Name without a password, and records that cert decided', async () => {
    const clientId = 'cc-cn';
    assert.equal(await codeOf(broker, device1, { clientId }), ReasonCode.Success);
    const event = await eventOf(broker, clientId, 'connect');
    assert.equal(event.username, 'device-1');
    assert.equal(event.details!.authenticator, 'cert');
    assert.match(String(event.details!.authReason), /certificate verified, cn device-1/);
    // 3.1.1 too, where a client without a user name may not send a password [MQTT-3.1.2-22]: it needs neither.
    assert.equal(await codeOf(broker, device2, {}, 4), 0);
  });

  it('accepts the certificate\'s own name as user name, with any password or none, which is not checked', async () => {
    assert.equal(await codeOf(broker, device1, { username: 'device-1' }), ReasonCode.Success);
    assert.equal(await codeOf(broker, device1, { username: 'device-1', password: Buffer.from('whatever') }), ReasonCode.Success);
  });

  it('refuses a user name that differs from the certificate\'s with 0x86 (3.1.1: 4), even a local user\'s right password', async () => {
    const clientId = 'cc-mismatch';
    assert.equal(await codeOf(broker, device1, { clientId, username: 'device-2' }), ReasonCode.BadUserNameOrPassword);
    const event = await eventOf(broker, clientId, 'connect_refused');
    assert.equal(event.details!.authenticator, 'cert');
    assert.match(String(event.details!.authReason), /differs from the certificate's cn device-1/);
    // The first definite answer wins: local is never asked.
    assert.equal(await codeOf(broker, device1, { username: 'loc', password: Buffer.from('loc-pw') }), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker, device1, { username: 'device-2' }, 4), 4);
  });

  it('refuses the TLS handshake to a client without a certificate, or with one of another CA', async () => {
    await refusedAtTls(broker, undefined);
    await refusedAtTls(broker, rogue);
  });

  it('checks the certificate\'s identity against the ACLs like any user name (%u)', async () => {
    const { code, raw } = await tlsCode(broker, device1);
    assert.equal(code, 0);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('devices/device-1/#'), sub('devices/device-2/#')] });
    assert.deepEqual((await raw.expect(PacketType.Suback)).reasonCodes, [1, ReasonCode.NotAuthorized]);
    raw.send({ type: PacketType.Publish, topic: 'devices/device-1/t', payload: Buffer.from('mine'), qos: 1, retain: false, dup: false, packetId: 2 });
    // Its own subscription receives it, then PUBACK 0x00 (the message reached a subscriber).
    const received = await raw.expect(PacketType.Publish);
    assert.equal(received.topic, 'devices/device-1/t');
    assert.equal((await raw.expect(PacketType.Puback)).reasonCode, 0);
    raw.send({ type: PacketType.Publish, topic: 'devices/device-2/t', payload: Buffer.from('theirs'), qos: 1, retain: false, dup: false, packetId: 3 });
    assert.equal((await raw.expect(PacketType.Puback)).reasonCode, ReasonCode.NotAuthorized);
    raw.destroy();
  });

  it('passes a client without a certificate (plain TCP) on to local, which decides', async () => {
    const ok = await RawClient.open(broker.mqttPort);
    ok.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'cc-local', username: 'loc', password: Buffer.from('loc-pw') });
    assert.equal((await ok.expect(PacketType.Connack)).reasonCode, 0);
    ok.destroy();
    assert.equal((await eventOf(broker, 'cc-local', 'connect')).details!.authenticator, 'local');
    const bad = await RawClient.open(broker.mqttPort);
    bad.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'cc-local-bad', username: 'device-1' });
    // A certificate's name is no password: without the certificate, device-1 is an unknown local user.
    assert.equal((await bad.expect(PacketType.Connack)).reasonCode, ReasonCode.BadUserNameOrPassword);
    bad.destroy();
    assert.equal((await eventOf(broker, 'cc-local-bad', 'connect_refused')).details!.authenticator, 'local');
  });
});

describe('TLS_IDENTITY=san-email, TLS_CLIENT_CERT=optional', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ mqttsPort: 0, mqttPort: null }, brokerEnv('san-email', 'optional'));
  });
  afterAll(() => broker?.close());

  it('takes the user name from the certificate\'s e-mail Subject Alternative Name', async () => {
    const clientId = 'cc-email';
    assert.equal(await codeOf(broker, device1, { clientId }), 0);
    assert.equal((await eventOf(broker, clientId, 'connect')).username, 'dev1@plant.example');
  });

  it('lets a client without a certificate through the handshake with no identity: local decides', async () => {
    assert.equal(await codeOf(broker, undefined), ReasonCode.NotAuthorized);
    assert.equal(await codeOf(broker, undefined, { username: 'loc', password: Buffer.from('loc-pw') }), 0);
  });

  it('never takes an identity from a certificate of another CA: it is as if there were none', async () => {
    const clientId = 'cc-rogue';
    assert.equal(await codeOf(broker, rogue, { clientId }), ReasonCode.NotAuthorized);
    // cert passed it on (no identity), and local, which always answers, refused it.
    assert.equal((await eventOf(broker, clientId, 'connect_refused')).details!.authenticator, 'local');
    // Claiming the name it carries does not help: local knows no such user.
    assert.equal(await codeOf(broker, rogue, { username: 'dev1@plant.example' }), ReasonCode.BadUserNameOrPassword);
  });

  it('gives no identity from a verified certificate without the SAN asked for', async () => {
    assert.equal(await codeOf(broker, device2), ReasonCode.NotAuthorized);
  });
});

describe('identities of a real certificate, as TLS_IDENTITY reads them', () => {
  it('reads the CN and the first DNS, e-mail and URI Subject Alternative Names', () => {
    const names = new X509Certificate(device1.cert).toLegacyObject();
    assert.equal(identityOf(names, 'cn'), 'device-1');
    assert.equal(identityOf(names, 'san-dns'), 'dev1.plant.example');
    assert.equal(identityOf(names, 'san-email'), 'dev1@plant.example');
    assert.equal(identityOf(names, 'san-uri'), 'spiffe://plant.example/dev1');
    assert.equal(identityOf(new X509Certificate(device2.cert).toLegacyObject(), 'san-dns'), undefined);
  });
});
