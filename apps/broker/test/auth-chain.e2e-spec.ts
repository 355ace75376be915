import assert from 'node:assert/strict';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConnectPacket, PacketType, ProtocolVersion, QoS, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent } from '@nestmq/persistence';
import { SignJWT } from 'jose';
import { TopicAcl } from '../src/auth/topic-acl';
import { BrokerStats } from '../src/metrics/broker-stats';
import { SysTopicsPublisher } from '../src/metrics/sys-topics';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { connectClient, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const KEY = new TextEncoder().encode(SECRET);

function token(claims: Record<string, unknown>, options: { sub?: string; exp?: number | string; iss?: string; aud?: string; key?: Uint8Array } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub ?? 'svc-1')
    .setIssuer(options.iss ?? 'https://idp.test')
    .setAudience(options.aud ?? 'nestmq')
    .setExpirationTime(options.exp ?? '1h')
    .sign(options.key ?? KEY);
}

async function connectRaw(port: number, connect: Partial<ConnectPacket>, version: ProtocolVersion = 5): Promise<{ code: number; raw: RawClient }> {
  const raw = await RawClient.open(port, version);
  raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: `ac-${Math.random().toString(36).slice(2)}`, ...connect } as ConnectPacket);
  const connack = await raw.expect(PacketType.Connack);
  return { code: connack.reasonCode, raw };
}

async function codeOf(port: number, connect: Partial<ConnectPacket>, version: ProtocolVersion = 5): Promise<number> {
  const { code, raw } = await connectRaw(port, connect, version);
  raw.socket.destroy();
  return code;
}

/** A client's first stored event of `action`. */
async function eventOf(broker: TestBroker, clientId: string, action: string): Promise<StoredSessionEvent> {
  const recorder = broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER);
  const repository = broker.app.get(SessionEventRepository);
  await recorder?.flush();
  const event = (await repository.ofClient(clientId, 10)).events.find((e) => e.action === action);
  if (event === undefined) throw new Error(`no ${action} event for ${clientId}`);
  return event;
}

const sub = (topicFilter: string, qos: QoS = 1) => ({ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 as const });

/** The PUBACK's reason code, 0x10 No matching subscribers read as 0: accepted either way. */
async function pubackCode(raw: RawClient, topic: string): Promise<number> {
  raw.send({ type: PacketType.Publish, topic, payload: Buffer.from('x'), qos: 1, retain: false, dup: false, packetId: 7 });
  const code = (await raw.expect(PacketType.Puback)).reasonCode;
  return code === ReasonCode.NoMatchingSubscribers ? 0 : code;
}

async function subackCode(raw: RawClient, filter: string): Promise<number> {
  raw.send({ type: PacketType.Subscribe, packetId: 3, subscriptions: [sub(filter)] });
  return (await raw.expect(PacketType.Suback)).reasonCodes[0];
}

describe('AUTH_CHAIN=jwt,local: a JWT as the MQTT password, then local users', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(
      // The broker's own policy: everything but dev/a/secret. A token's lists narrow it, never widen it.
      { acl: TopicAcl.parse('pattern readwrite #\npattern deny dev/a/secret') },
      {
        ALLOW_ANONYMOUS: 'false',
        AUTH_CHAIN: 'jwt,local',
        AUTH_USERS: 'dev:dev-pw',
        AUTH_JWT_SECRET: SECRET,
        AUTH_JWT_ISSUER: 'https://idp.test',
        AUTH_JWT_AUDIENCE: 'nestmq',
        AUTH_JWT_CLOCK_TOLERANCE: '0',
      },
    );
  });
  afterAll(() => broker?.close());

  it('lets a valid token in under its subject, and records that jwt decided, with the roles', async () => {
    const clientId = 'jwt-ok';
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'anything', password: Buffer.from(await token({ roles: ['ops', 'read'] })) }), 0);
    const event = await eventOf(broker, clientId, 'connect');
    assert.equal(event.username, 'svc-1');
    assert.equal(event.details!.authenticator, 'jwt');
    assert.equal(event.details!.authReason, 'token verified');
    assert.deepEqual(event.details!.roles, ['ops', 'read']);
    // 3.1.1 too: a password needs a user name there [MQTT-3.1.2-22], whatever it is.
    assert.equal(await codeOf(broker.mqttPort, { username: 'x', password: Buffer.from(await token({})) }, 4), 0);
  });

  it('passes a password that is not a token on to local, which decides', async () => {
    const clientId = 'jwt-local';
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'dev', password: Buffer.from('dev-pw') }), 0);
    assert.equal((await eventOf(broker, clientId, 'connect')).details!.authenticator, 'local');
    assert.equal(await codeOf(broker.mqttPort, { clientId: 'jwt-local-bad', username: 'dev', password: Buffer.from('wrong') }), ReasonCode.BadUserNameOrPassword);
    assert.equal((await eventOf(broker, 'jwt-local-bad', 'connect_refused')).details!.authenticator, 'local');
  });

  it('refuses a token with a bad signature, a wrong issuer or audience, expired or not yet valid: 0x86 (3.1.1: 4), decided by jwt', async () => {
    const bad = [
      await token({}, { key: new TextEncoder().encode('another-secret-of-at-least-32-characters!') }),
      await token({}, { iss: 'https://evil.test' }),
      await token({}, { aud: 'other' }),
      await token({}, { exp: Math.floor(Date.now() / 1000) - 5 }),
      await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setIssuer('https://idp.test').setAudience('nestmq').setNotBefore('1h').setExpirationTime('2h').sign(KEY),
    ];
    for (const [i, t] of bad.entries()) {
      const clientId = `jwt-bad-${i}`;
      assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'x', password: Buffer.from(t) }), ReasonCode.BadUserNameOrPassword, `token ${i}`);
      const event = await eventOf(broker, clientId, 'connect_refused');
      assert.equal(event.details!.authenticator, 'jwt');
      assert.match(String(event.details!.authReason), /token refused/);
      assert.ok(!JSON.stringify(event.details!).includes(t), 'the token is never recorded');
    }
    assert.equal(await codeOf(broker.mqttPort, { username: 'x', password: Buffer.from(bad[0]) }, 4), 4);
  });

  it('applies the token\'s own topic lists on top of the broker\'s rules: only what both allow', async () => {
    const t = await token({ acl: { publish: ['dev/a/#'], subscribe: ['dev/a/#'] } }, { sub: 'dev-a' });
    const { code, raw } = await connectRaw(broker.mqttPort, { clientId: 'jwt-acl', username: 'x', password: Buffer.from(t) });
    assert.equal(code, 0);
    assert.equal(await pubackCode(raw, 'dev/a/x'), 0);
    assert.equal(await pubackCode(raw, 'dev/b/x'), ReasonCode.NotAuthorized, 'outside its publish list');
    assert.equal(await pubackCode(raw, 'dev/a/secret'), ReasonCode.NotAuthorized, 'in its list, but the broker denies it');
    assert.equal(await subackCode(raw, 'dev/b/#'), ReasonCode.NotAuthorized);
    // `#` may match some of its topics: accepted, and filtered message by message.
    assert.equal(await subackCode(raw, '#'), 1);
    const other = await RawClient.connected(broker.mqttPort, { username: 'dev', password: Buffer.from('dev-pw') });
    other.send({ type: PacketType.Publish, topic: 'dev/b/hidden', payload: Buffer.from('no'), qos: 0, retain: false, dup: false });
    other.send({ type: PacketType.Publish, topic: 'dev/a/seen', payload: Buffer.from('yes'), qos: 0, retain: false, dup: false });
    const received = await raw.expect(PacketType.Publish);
    assert.equal(received.topic, 'dev/a/seen', 'dev/b/hidden, sent first, was not delivered');
    // The local user, without lists of its own, is held by the broker's rules only.
    assert.equal(await pubackCode(other, 'dev/b/x'), 0);
    raw.socket.destroy();
    other.socket.destroy();
  });

  it('ends the connection when the token expires: DISCONNECT 0x87, counted', async () => {
    const before = broker.app.get(BrokerStats).credentialsExpired;
    const exp = Math.floor(Date.now() / 1000) + 2;
    const { code, raw } = await connectRaw(broker.mqttPort, { clientId: 'jwt-expiring', username: 'x', password: Buffer.from(await token({}, { exp })) });
    assert.equal(code, 0);
    const disconnect = await raw.expect(PacketType.Disconnect, 5000);
    assert.equal(disconnect.reasonCode, ReasonCode.NotAuthorized);
    assert.ok(Date.now() >= exp * 1000, 'not before exp');
    await withTimeout(raw.closed, 2000, 'close');
    assert.equal(broker.app.get(BrokerStats).credentialsExpired, before + 1);
  });
});

interface HookRequest {
  clientId: string;
  username?: string;
  password?: string;
  address: string;
  protocolVersion: number;
}

/** A hook server of the test, answering by user name. */
async function hookServer(answer: (body: HookRequest, res: ServerResponse) => void): Promise<{ url: string; requests: HookRequest[]; close: () => Promise<void> }> {
  const requests: HookRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as HookRequest;
      requests.push(body);
      answer(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('AUTH_CHAIN=http,local: the HTTP hook', () => {
  let broker: TestBroker;
  let hook: Awaited<ReturnType<typeof hookServer>>;

  beforeAll(async () => {
    hook = await hookServer((body, res) => {
      switch (body.username) {
        case 'h-ok':
          return body.password === 'right' ? json(res, 200, { result: 'allow', roles: ['dev'], acl: { publish: ['h/#'] } }) : json(res, 200, { result: 'deny', reason: 'wrong password' });
        case 'h-forbidden':
          return json(res, 403, {});
        case 'h-500':
          return json(res, 500, {});
        case 'h-garbage':
          return res.writeHead(200).end('<html>');
        case 'h-slow':
          return; // never answers
        default:
          return json(res, 200, { result: 'ignore' });
      }
    });
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', AUTH_CHAIN: 'http,local', AUTH_USERS: 'loc:loc-pw', AUTH_HTTP_URL: hook.url, AUTH_HTTP_TIMEOUT: '0.5' });
  });
  afterAll(async () => {
    await broker?.close();
    await hook?.close();
  });

  it('posts the client identifier, user name, password, address and protocol version, and lets an allowed client in with its roles and lists', async () => {
    const asked = hook.requests.length;
    const { code, raw } = await connectRaw(broker.mqttPort, { clientId: 'h-client', username: 'h-ok', password: Buffer.from('right') });
    assert.equal(code, 0);
    assert.deepEqual(hook.requests[asked], { clientId: 'h-client', username: 'h-ok', password: 'right', address: '127.0.0.1', protocolVersion: 5 });
    assert.equal(await pubackCode(raw, 'h/x'), 0);
    assert.equal(await pubackCode(raw, 'other'), ReasonCode.NotAuthorized);
    raw.socket.destroy();
    const event = await eventOf(broker, 'h-client', 'connect');
    assert.equal(event.details!.authenticator, 'http');
    assert.deepEqual(event.details!.roles, ['dev']);
    assert.deepEqual(event.details!.acl, { publish: ['h/#'] });
  });

  it('remembers an allow under the password: the same credentials are not asked again, a wrong password always is', async () => {
    const clientId = 'h-cache';
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'h-ok', password: Buffer.from('right') }), 0);
    const asked = hook.requests.length;
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'h-ok', password: Buffer.from('right') }), 0);
    assert.equal(hook.requests.length, asked, 'answered from the cache');
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'h-ok', password: Buffer.from('wrong') }), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, { clientId, username: 'h-ok', password: Buffer.from('wrong') }), ReasonCode.BadUserNameOrPassword);
    assert.equal(hook.requests.length, asked + 2, 'denials are asked every time');
  });

  it('denies with 0x86 on deny or 403; ignore passes the client to local', async () => {
    assert.equal(await codeOf(broker.mqttPort, { username: 'h-forbidden', password: Buffer.from('x') }), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, { clientId: 'h-loc', username: 'loc', password: Buffer.from('loc-pw') }), 0);
    assert.equal((await eventOf(broker, 'h-loc', 'connect')).details!.authenticator, 'local');
  });

  it('answers 0x88 Server unavailable (3.1.1: 3) when the hook times out, fails or answers garbage, and counts it', async () => {
    const stats = broker.app.get(BrokerStats);
    const before = stats.connectsRefusedAuthBackend;
    const started = Date.now();
    assert.equal(await codeOf(broker.mqttPort, { clientId: 'h-slow', username: 'h-slow', password: Buffer.from('x') }), ReasonCode.ServerUnavailable);
    assert.ok(Date.now() - started < 3000, 'AUTH_HTTP_TIMEOUT bounds the wait');
    assert.equal((await eventOf(broker, 'h-slow', 'connect_refused')).details!.authenticator, 'http');
    assert.match(String((await eventOf(broker, 'h-slow', 'connect_refused')).details!.authReason), /^timeout/);
    assert.equal(await codeOf(broker.mqttPort, { username: 'h-500', password: Buffer.from('x') }), ReasonCode.ServerUnavailable);
    assert.equal(await codeOf(broker.mqttPort, { username: 'h-garbage', password: Buffer.from('x') }), ReasonCode.ServerUnavailable);
    assert.equal(await codeOf(broker.mqttPort, { username: 'h-500', password: Buffer.from('x') }, 4), 3);
    assert.equal(stats.connectsRefusedAuthBackend, before + 4);
    assert.equal(broker.app.get(SysTopicsPublisher).snapshot()['$SYS/broker/clients/refused auth backend'], before + 4);
  });
});

describe('MAX_CONNECTIONS_PER_IP', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { MAX_CONNECTIONS_PER_IP: '2' });
  });
  afterAll(() => broker?.close());

  it('closes a connection beyond the cap before CONNECT, counts it, and takes new ones once one has closed', async () => {
    const stats = broker.app.get(BrokerStats);
    const a = await RawClient.connected(broker.mqttPort);
    const b = await RawClient.connected(broker.mqttPort);
    const c = await RawClient.open(broker.mqttPort);
    await withTimeout(c.closed, 5000, 'the third connection is closed');
    assert.equal(stats.connectsRefusedPerAddress, 1);
    const d = await RawClient.connected(broker.mqttPort).catch(() => null);
    assert.equal(d, null, 'the address still has its two');
    assert.equal(stats.connectsRefusedPerAddress, 2);
    a.socket.destroy();
    await withTimeout(a.closed, 5000, 'close');
    const e = await (async () => {
      for (;;) {
        try {
          return await RawClient.connected(broker.mqttPort);
        } catch {
          // The broker sees the close a moment after the client does.
          await new Promise((r) => setImmediate(r));
        }
      }
    })();
    b.socket.destroy();
    e.socket.destroy();
  });
});

describe('authentication off the event loop', () => {
  let broker: TestBroker;
  let hook: Awaited<ReturnType<typeof hookServer>>;
  let slowSeen: () => void;
  const allSlowSeen = new Promise<void>((resolve) => (slowSeen = resolve));
  const SLOW = 200;

  beforeAll(async () => {
    let slow = 0;
    hook = await hookServer((body, res) => {
      if (body.username !== 'slow') return json(res, 200, { result: 'allow' });
      if (++slow === SLOW) slowSeen();
      setTimeout(() => json(res, 200, { result: 'allow' }), 2000);
    });
    broker = await startTestBroker({ maxPendingConnects: 1000, maxPendingConnectsPerAddress: 1000 }, { AUTH_CHAIN: 'http', AUTH_HTTP_URL: hook.url, AUTH_HTTP_TIMEOUT: '10' });
  });
  afterAll(async () => {
    await broker?.close();
    await hook?.close();
  });

  it('keeps a QoS 1 pair\'s p99 round trip under 50 ms while 200 CONNECTs wait on a 2 s backend', async () => {
    const subscriber = await connectClient(broker.url, { username: 'fast', password: 'x', clientId: 'pair-sub' });
    const publisher = await connectClient(broker.url, { username: 'fast', password: 'x', clientId: 'pair-pub' });
    await subscriber.subscribeAsync('pair/rtt', { qos: 1 });
    const slow = Array.from({ length: SLOW }, (_, i) => connectRaw(broker.mqttPort, { clientId: `slow-${i}`, username: 'slow', password: Buffer.from('x') }));
    await withTimeout(allSlowSeen, 10_000, 'every slow CONNECT reached the backend');
    const pendingAtStart = broker.app.get(BrokerStats).clientsConnected;
    const rtts: number[] = [];
    let resolveOne: (() => void) | undefined;
    subscriber.on('message', () => resolveOne?.());
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const arrived = new Promise<void>((resolve) => (resolveOne = resolve));
      await publisher.publishAsync('pair/rtt', String(i), { qos: 1 });
      await arrived;
      rtts.push(performance.now() - started);
    }
    // Measured while every slow CONNECT was still waiting for its answer.
    assert.equal(broker.app.get(BrokerStats).clientsConnected, pendingAtStart, 'no slow CONNECT was answered during the measurement');
    rtts.sort((x, y) => x - y);
    const p99 = rtts[Math.floor(rtts.length * 0.99) - 1];
    assert.ok(p99 < 50, `p99 ${p99.toFixed(1)} ms`);
    const codes = await Promise.all(slow.map(async (p) => {
      const { code, raw } = await p;
      raw.socket.destroy();
      return code;
    }));
    assert.deepEqual(new Set(codes), new Set([0]));
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  });
});
