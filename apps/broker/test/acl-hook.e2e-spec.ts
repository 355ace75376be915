import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConnectPacket, Packet, PacketType, ProtocolVersion, QoS, ReasonCode, encodePacket } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent } from '@nestmq/persistence';
import { TopicAcl } from '../src/auth/topic-acl';
import { BrokerStats } from '../src/metrics/broker-stats';
import { SysTopicsPublisher } from '../src/metrics/sys-topics';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { BrokerContext } from '../src/transport/broker-context';
import { withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

interface AclQuery {
  action: 'publish' | 'subscribe';
  clientId: string;
  username?: string;
  topic: string;
  qos: number;
  retain: boolean;
  address: string;
}

/**
 * The ACL hook the tests run: it answers by the topic's first level (`pubdeny` denies publish only). Publishes to `slow/...` are held
 * until the test releases them; it records every request, and how many of one client's were under way at
 * once.
 */
class HookServer {
  readonly requests: AclQuery[] = [];
  private readonly held = new Map<string, () => void>();
  private readonly waiters: Array<() => void> = [];
  private readonly underWay = new Map<string, number>();
  readonly mostUnderWay = new Map<string, number>();
  private readonly server = createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/acl`;
  }

  close(): Promise<void> {
    for (const release of this.held.values()) release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Requests about `topic` (by `clientId`, if given). */
  asked(topic: string, clientId?: string): AclQuery[] {
    return this.requests.filter((q) => q.topic === topic && (clientId === undefined || q.clientId === clientId));
  }

  /** Resolves once the hook holds a request about `topic`. */
  async holding(topic: string): Promise<void> {
    while (!this.held.has(topic)) await withTimeout(new Promise<void>((resolve) => this.waiters.push(resolve)), 5000, `a request about ${topic}`);
  }

  isHolding(topic: string): boolean {
    return this.held.has(topic);
  }

  release(topic: string): void {
    const release = this.held.get(topic);
    assert.ok(release, `no request about ${topic} is held`);
    this.held.delete(topic);
    release();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const q = JSON.parse(body) as AclQuery;
      this.requests.push(q);
      const now = (this.underWay.get(q.clientId) ?? 0) + 1;
      this.underWay.set(q.clientId, now);
      this.mostUnderWay.set(q.clientId, Math.max(now, this.mostUnderWay.get(q.clientId) ?? 0));
      const done = (): void => void this.underWay.set(q.clientId, this.underWay.get(q.clientId)! - 1);
      res.once('close', done);
      const json = (status: number, answer: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      const first = q.topic.split('/')[0];
      if (first === 'slow' && q.action === 'publish') {
        this.held.set(q.topic, () => json(200, { result: 'allow' }));
      } else if (first === 'flood') {
        // Answered on a later turn, so that a second request, were one made, would overlap this one.
        setImmediate(() => json(200, { result: 'allow' }));
      } else if (first === 'deny' || (first === 'pubdeny' && q.action === 'publish')) json(200, { result: 'deny' });
      else if (first === 'forbidden') json(403, {});
      else if (first === 'fail') json(500, {});
      else if (first === 'garbage') res.writeHead(200).end('<html>');
      else if (first === 'down') req.socket.destroy();
      else if (first === 'hang') this.held.set(q.topic, () => res.destroy());
      else if (first === 'ignored') json(200, { result: 'ignore' });
      else json(200, { result: 'allow' });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
}

const sub = (topicFilter: string, qos: QoS = 1) => ({ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 as const });

function publishPacket(topic: string, qos: QoS, packetId?: number, payload = topic): Packet {
  return { type: PacketType.Publish, topic, payload: Buffer.from(payload), qos, retain: false, dup: false, ...(qos > 0 && { packetId }) } as Packet;
}

/** The PUBACK's reason code, 0x10 No matching subscribers read as 0: accepted either way. */
async function pubackCode(raw: RawClient, topic: string, packetId = 7): Promise<number> {
  raw.send(publishPacket(topic, 1, packetId));
  const ack = await raw.expect(PacketType.Puback);
  assert.equal(ack.packetId, packetId);
  return ack.reasonCode === ReasonCode.NoMatchingSubscribers ? 0 : ack.reasonCode;
}

async function subackCodes(raw: RawClient, ...filters: string[]): Promise<number[]> {
  raw.send({ type: PacketType.Subscribe, packetId: 3, subscriptions: filters.map((f) => sub(f)) });
  return (await raw.expect(PacketType.Suback)).reasonCodes;
}

async function eventOf(broker: TestBroker, clientId: string, action: string): Promise<StoredSessionEvent> {
  await broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER)?.flush();
  const event = (await broker.app.get(SessionEventRepository).ofClient(clientId, 10)).events.find((e) => e.action === action);
  if (event === undefined) throw new Error(`no ${action} event for ${clientId}`);
  return event;
}

describe('AUTH_HTTP_ACL_URL: the HTTP ACL hook', () => {
  let broker: TestBroker;
  let hook: HookServer;
  const clients: RawClient[] = [];
  const connected = async (connect: Partial<ConnectPacket> = {}, version: ProtocolVersion = 5): Promise<RawClient> => {
    const raw = await RawClient.connected(broker.mqttPort, connect, version);
    clients.push(raw);
    return raw;
  };

  beforeAll(async () => {
    hook = new HookServer();
    await hook.start();
    broker = await startTestBroker(
      // The broker's own policy: everything but locked/#. The hook narrows it further.
      { acl: TopicAcl.parse('pattern readwrite #\npattern deny locked/#') },
      { AUTH_HTTP_ACL_URL: hook.url, AUTH_HTTP_ACL_TIMEOUT: '1', AUTH_HTTP_ACL_CACHE_TTL: '60', AUTH_USERS: 'u1:pw1' },
    );
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await broker?.close();
    await hook?.close();
  });

  it('asks about each publish with the client\'s identity, and refuses what it denies: PUBACK 0x87 [MQTT-3.4.2-1], QoS 0 dropped', async () => {
    const watcher = await connected();
    assert.deepEqual(await subackCodes(watcher, 'q0/#', 'pubdeny/#'), [1, 1]);
    const raw = await connected({ clientId: 'hook-id', username: 'u1', password: Buffer.from('pw1') });
    assert.equal(await pubackCode(raw, 'allowed/a'), 0);
    assert.equal(await pubackCode(raw, 'deny/a'), ReasonCode.NotAuthorized);
    assert.equal(await pubackCode(raw, 'forbidden/a'), ReasonCode.NotAuthorized, '403 reads as deny');
    assert.equal(await pubackCode(raw, 'ignored/a'), 0, '"ignore" leaves it to the broker\'s rules');
    const [query] = hook.asked('allowed/a', 'hook-id');
    assert.deepEqual({ ...query, address: undefined }, { action: 'publish', clientId: 'hook-id', username: 'u1', topic: 'allowed/a', qos: 1, retain: false, address: undefined });
    assert.match(query.address, /127\.0\.0\.1/);
    // QoS 0: a denied message is dropped; the allowed one after it arrives alone.
    raw.send(publishPacket('pubdeny/q0', 0));
    raw.send(publishPacket('q0/ok', 0));
    assert.equal((await watcher.expect(PacketType.Publish)).topic, 'q0/ok');
    assert.equal(hook.asked('pubdeny/q0', 'hook-id').length, 1);
  });

  it('asks about each filter of a SUBSCRIBE: SUBACK 0x87 for those it denies [MQTT-3.9.3-1]; delivery is then not asked per message', async () => {
    const raw = await connected({ clientId: 'hook-sub' });
    assert.deepEqual(await subackCodes(raw, 'news/#', 'deny/#', 'forbidden/+'), [1, ReasonCode.NotAuthorized, ReasonCode.NotAuthorized]);
    assert.deepEqual(hook.requests.filter((q) => q.clientId === 'hook-sub').map((q) => [q.action, q.topic, q.qos]), [
      ['subscribe', 'news/#', 1],
      ['subscribe', 'deny/#', 1],
      ['subscribe', 'forbidden/+', 1],
    ]);
    const publisher = await connected();
    for (let i = 0; i < 3; i++) assert.equal(await pubackCode(publisher, `news/${i}`, 20 + i), 0);
    for (let i = 0; i < 3; i++) assert.equal((await raw.expect(PacketType.Publish)).topic, `news/${i}`);
    assert.equal(hook.requests.filter((q) => q.clientId === 'hook-sub').length, 3, 'no request per delivered message');
  });

  it('needs the broker\'s own rules to allow too: what they refuse is refused without asking the hook', async () => {
    const raw = await connected({ clientId: 'hook-locked' });
    assert.equal(await pubackCode(raw, 'locked/a'), ReasonCode.NotAuthorized);
    assert.deepEqual(await subackCodes(raw, 'locked/#'), [ReasonCode.NotAuthorized]);
    assert.equal(hook.requests.filter((q) => q.clientId === 'hook-locked').length, 0);
  });

  it('never asks about a publish to $SYS, which clients may not write; a $SYS subscription is asked about like any other', async () => {
    const raw = await connected({ clientId: 'hook-sys' });
    assert.equal(await pubackCode(raw, '$SYS/broker/x'), ReasonCode.NotAuthorized);
    assert.deepEqual(await subackCodes(raw, '$SYS/#', 'deny/$SYS'), [1, ReasonCode.NotAuthorized]);
    assert.deepEqual(hook.requests.filter((q) => q.clientId === 'hook-sys').map((q) => q.topic), ['$SYS/#', 'deny/$SYS']);
  });

  it('remembers answers, allows and denials, per topic for AUTH_HTTP_ACL_CACHE_TTL, then asks again', async () => {
    const raw = await connected({ clientId: 'hook-cache' });
    for (let i = 0; i < 3; i++) assert.equal(await pubackCode(raw, 'cached/a', 30 + i), 0);
    for (let i = 0; i < 3; i++) assert.equal(await pubackCode(raw, 'deny/cached', 40 + i), ReasonCode.NotAuthorized);
    assert.equal(hook.asked('cached/a', 'hook-cache').length, 1);
    assert.equal(hook.asked('deny/cached', 'hook-cache').length, 1);
    // A different QoS is another question: the hook is told the QoS, so its answer may depend on it.
    raw.send(publishPacket('cached/a', 2, 50));
    assert.ok((await raw.expect(PacketType.Pubrec)).reasonCode < 0x80);
    raw.send({ type: PacketType.Pubrel, packetId: 50, reasonCode: 0 });
    await raw.expect(PacketType.Pubcomp);
    assert.equal(hook.asked('cached/a', 'hook-cache').length, 2);
    const aclHook = broker.app.get(BrokerContext).aclHook!;
    aclHook.now = () => Date.now() + 61_000;
    try {
      assert.equal(await pubackCode(raw, 'cached/a', 51), 0);
      assert.equal(await pubackCode(raw, 'deny/cached', 52), ReasonCode.NotAuthorized);
    } finally {
      aclHook.now = Date.now;
    }
    assert.equal(hook.asked('cached/a', 'hook-cache').length, 3);
    assert.equal(hook.asked('deny/cached', 'hook-cache').length, 2);
  });

  it('keeps a client\'s packets in order while one waits for the hook: A (asked) then B (remembered) arrive as A, B [MQTT-4.6.0-2]', async () => {
    const watcher = await connected();
    assert.deepEqual(await subackCodes(watcher, 'slow/#', 'order/#'), [1, 1]);
    const raw = await connected({ clientId: 'hook-order' });
    assert.equal(await pubackCode(raw, 'order/b', 60), 0);
    assert.equal((await watcher.expect(PacketType.Publish)).topic, 'order/b');
    // Both in one write, so B is already received when A makes the connection wait.
    raw.sendBytes(Buffer.concat([encodePacket(publishPacket('slow/a', 1, 61), 5)!, encodePacket(publishPacket('order/b', 1, 62), 5)!]));
    await hook.holding('slow/a');
    hook.release('slow/a');
    assert.deepEqual([(await watcher.expect(PacketType.Publish)).topic, (await watcher.expect(PacketType.Publish)).topic], ['slow/a', 'order/b']);
    assert.deepEqual([(await raw.expect(PacketType.Puback)).packetId, (await raw.expect(PacketType.Puback)).packetId], [61, 62]);
    assert.equal(hook.asked('order/b', 'hook-order').length, 1, 'B was remembered, not asked again');
  });

  it('does not delay other clients while one waits for a slow answer', async () => {
    const waiting = await connected({ clientId: 'hook-waiting' });
    const other = await connected({ clientId: 'hook-other' });
    waiting.send(publishPacket('slow/other', 1, 70));
    await hook.holding('slow/other');
    for (let i = 0; i < 5; i++) assert.equal(await pubackCode(other, `fast/${i}`, 71 + i), 0);
    other.send({ type: PacketType.Pingreq });
    await other.expect(PacketType.Pingresp);
    // All of that while the first client's answer is still held, so its PUBACK cannot have been sent.
    assert.ok(hook.isHolding('slow/other'));
    hook.release('slow/other');
    assert.equal((await waiting.expect(PacketType.Puback)).packetId, 70);
  });

  it('lets a client flooding distinct topics have one request to the hook under way at a time, answered in order', async () => {
    const raw = await connected({ clientId: 'hook-flood' });
    const n = 30;
    raw.sendBytes(Buffer.concat(Array.from({ length: n }, (_, i) => encodePacket(publishPacket(`flood/${i}`, 1, 100 + i), 5)!)));
    for (let i = 0; i < n; i++) assert.equal((await raw.expect(PacketType.Puback)).packetId, 100 + i);
    assert.equal(hook.mostUnderWay.get('hook-flood'), 1);
    assert.deepEqual(hook.requests.filter((q) => q.clientId === 'hook-flood').map((q) => q.topic), Array.from({ length: n }, (_, i) => `flood/${i}`));
  });

  it('refuses with 0x80 when the hook fails, times out or answers nonsense, counts it, keeps the connection, and asks again next time', async () => {
    const stats = broker.app.get(BrokerStats);
    const before = stats.aclHookFailures;
    const raw = await connected({ clientId: 'hook-fail' });
    assert.equal(await pubackCode(raw, 'fail/a', 80), ReasonCode.UnspecifiedError);
    assert.equal(await pubackCode(raw, 'down/a', 81), ReasonCode.UnspecifiedError);
    assert.equal(await pubackCode(raw, 'garbage/a', 82), ReasonCode.UnspecifiedError);
    assert.equal(await pubackCode(raw, 'hang/a', 83), ReasonCode.UnspecifiedError, 'AUTH_HTTP_ACL_TIMEOUT');
    // After a failure, the SUBSCRIBE's later filters are refused unasked.
    assert.deepEqual(await subackCodes(raw, 'ok/#', 'fail/#', 'ok2/#'), [1, ReasonCode.UnspecifiedError, ReasonCode.UnspecifiedError]);
    assert.equal(hook.asked('ok2/#', 'hook-fail').length, 0);
    assert.equal(stats.aclHookFailures, before + 5);
    assert.equal(broker.app.get(SysTopicsPublisher).snapshot()['$SYS/broker/acl hook/failures'], before + 5);
    // Not remembered: the next publish asks again; and the connection is still there.
    assert.equal(await pubackCode(raw, 'fail/a', 84), ReasonCode.UnspecifiedError);
    assert.equal(hook.asked('fail/a', 'hook-fail').length, 2);
    raw.send({ type: PacketType.Pingreq });
    await raw.expect(PacketType.Pingresp);
  });

  it('asks about the will at CONNECT: 0x87 when denied, 0x88 when the hook cannot answer, recorded in the refusal', async () => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('gone'), qos: 1 as QoS, retain: true });
    const code = async (clientId: string, topic: string): Promise<number> => {
      const raw = await RawClient.open(broker.mqttPort);
      clients.push(raw);
      raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId, will: will(topic) } as ConnectPacket);
      return (await raw.expect(PacketType.Connack)).reasonCode;
    };
    assert.equal(await code('hook-will-ok', 'wills/ok'), 0);
    assert.deepEqual(hook.asked('wills/ok', 'hook-will-ok').map((q) => [q.action, q.qos, q.retain]), [['publish', 1, true]]);
    assert.equal(await code('hook-will-denied', 'deny/will'), ReasonCode.NotAuthorized);
    const event = await eventOf(broker, 'hook-will-denied', 'connect_refused');
    assert.equal(event.details!.authenticator, 'acl-hook');
    const backend = broker.app.get(BrokerStats).connectsRefusedAuthBackend;
    assert.equal(await code('hook-will-failed', 'fail/will'), ReasonCode.ServerUnavailable);
    assert.equal(broker.app.get(BrokerStats).connectsRefusedAuthBackend, backend + 1);
  });
});

describe('without AUTH_HTTP_ACL_URL', () => {
  it('has no hook: the PUBLISH path reads one null field and goes on', async () => {
    const broker = await startTestBroker();
    try {
      assert.equal(broker.app.get(BrokerContext).aclHook, null);
      const raw = await RawClient.connected(broker.mqttPort);
      assert.equal(await pubackCode(raw, 'deny/a'), 0);
      raw.destroy();
    } finally {
      await broker.close();
    }
  });
});
