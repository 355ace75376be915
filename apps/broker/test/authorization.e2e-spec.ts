import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConnectPacket, PacketType, ProtocolVersion, QoS, ReasonCode } from '@nestmq/mqtt-protocol';
import { createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { Router } from '../src/routing/router';
import { Inbox, connectClient, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startBrokerOn, startTestBroker } from './support/test-broker';

/**
 * Authorization on every path a message takes, against crafted identities: the ACL of the issue that
 * found the holes (alice: alice/#; bob: bob/# and pub/#; carol: everything; patterns for %u and %c).
 */
const ACL = [
  'user alice',
  'topic readwrite alice/#',
  'user bob',
  'topic readwrite bob/#',
  'topic readwrite pub/#',
  'user carol',
  'topic readwrite #',
  'user m+n',
  'topic readwrite m/#',
  'user p/q',
  'topic readwrite p/#',
  'pattern readwrite users/%u/#',
  'pattern readwrite clients/%c/#',
  'pattern deny clients/%c/locked',
].join('\n');
const USERS = 'alice:pw-a,bob:pw-b,carol:pw-c,m+n:pw-m,p/q:pw-p,+:pw-plus,#:pw-hash';
const PASSWORDS: Record<string, string> = { alice: 'pw-a', bob: 'pw-b', carol: 'pw-c', 'm+n': 'pw-m', 'p/q': 'pw-p', '+': 'pw-plus', '#': 'pw-hash' };

const subscription = (topicFilter: string, qos: QoS = 1) => ({ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 as const });

/** A raw CONNECT as `user` (undefined: anonymous); returns the CONNACK's reason code and the client. */
async function connectAs(port: number, user: string | undefined, clientId: string, extra: Partial<ConnectPacket> = {}, version: ProtocolVersion = 5): Promise<{ code: number; sessionPresent: boolean; raw: RawClient }> {
  const raw = await RawClient.open(port, version);
  raw.send({
    type: PacketType.Connect,
    protocolName: 'MQTT',
    protocolVersion: version,
    clean: true,
    keepAlive: 0,
    clientId,
    ...(user === undefined ? {} : { username: user, password: Buffer.from(PASSWORDS[user]) }),
    ...extra,
  } as ConnectPacket);
  const connack = await raw.expect(PacketType.Connack);
  return { code: connack.reasonCode, sessionPresent: connack.sessionPresent, raw };
}

async function connected(port: number, user: string | undefined, clientId: string, extra: Partial<ConnectPacket> = {}): Promise<RawClient> {
  const { code, raw } = await connectAs(port, user, clientId, extra);
  assert.equal(code, 0, `${user ?? 'anonymous'} as ${clientId.slice(0, 40)} connects`);
  return raw;
}

async function subackCode(raw: RawClient, filter: string): Promise<number> {
  raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [subscription(filter)] });
  return (await raw.expect(PacketType.Suback)).reasonCodes[0];
}

async function pubackCode(raw: RawClient, topic: string, retain = false): Promise<number> {
  raw.send({ type: PacketType.Publish, topic, payload: Buffer.from('x'), qos: 1, retain, dup: false, packetId: 7 });
  return (await raw.expect(PacketType.Puback)).reasonCode;
}

function aclFile(text: string): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-authz-'));
  const file = join(dir, 'broker.acl');
  writeFileSync(file, text);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('authorization: crafted identities against every rule kind', () => {
  let broker: TestBroker;
  let acl: ReturnType<typeof aclFile>;
  beforeAll(async () => {
    acl = aclFile(ACL);
    broker = await startTestBroker({ maxClientIdBytes: 65_535 }, { ALLOW_ANONYMOUS: 'true', ACL_FILE: acl.file, AUTH_USERS: USERS });
  });
  afterAll(async () => {
    await broker.close();
    acl.remove();
  });

  const long = 'L'.repeat(65_000);
  // [who, client id, action, topic or filter, expected reason code]
  const table: Array<[string | undefined, string, 'publish' | 'subscribe', string, number]> = [
    // A1: a wildcard or a separator in %c never widens a pattern [CVE-2017-7650].
    ['bob', '+', 'subscribe', 'clients/#', ReasonCode.NotAuthorized],
    ['bob', '+', 'publish', 'clients/alicecid/cmd', ReasonCode.NotAuthorized],
    ['bob', '#', 'subscribe', 'clients/alicecid/private', ReasonCode.NotAuthorized],
    ['bob', '#', 'publish', 'clients/alicecid/cmd', ReasonCode.NotAuthorized],
    ['bob', '+/+', 'subscribe', 'clients/+/+/#', ReasonCode.NotAuthorized],
    ['bob', 'a/b', 'publish', 'clients/a/b/x', ReasonCode.NotAuthorized],
    // ... nor a wildcard or a separator in %u.
    ['+', 'plus-1', 'publish', 'users/alice/x', ReasonCode.NotAuthorized],
    ['+', 'plus-1', 'subscribe', 'users/+/inbox', ReasonCode.NotAuthorized],
    ['#', 'hash-1', 'publish', 'users/x/y', ReasonCode.NotAuthorized],
    ['m+n', 'mn-1', 'subscribe', 'users/#', ReasonCode.NotAuthorized],
    ['m+n', 'mn-1', 'publish', 'm/own', ReasonCode.NoMatchingSubscribers],
    ['p/q', 'pq-1', 'publish', 'users/p/q/x', ReasonCode.NotAuthorized],
    ['p/q', 'pq-1', 'publish', 'p/own', ReasonCode.NoMatchingSubscribers],
    // Anonymous clients have no %u: the pattern gives them nothing.
    [undefined, 'anon-1', 'publish', 'users//x', ReasonCode.NotAuthorized],
    [undefined, 'anon-1', 'publish', 'clients/anon-1/x', ReasonCode.NoMatchingSubscribers],
    // Plain identities get exactly their own level, non-ASCII and 65,000 bytes included.
    ['bob', 'ü-dévice', 'publish', 'clients/ü-dévice/x', ReasonCode.NoMatchingSubscribers],
    ['bob', 'ü-dévice', 'publish', 'clients/other/x', ReasonCode.NotAuthorized],
    ['bob', long, 'publish', `clients/${long}/x`, ReasonCode.NoMatchingSubscribers],
    ['bob', long, 'publish', `clients/${long.slice(1)}/x`, ReasonCode.NotAuthorized],
    ['bob', 'b-1', 'publish', 'users/bob/x', ReasonCode.NoMatchingSubscribers],
    ['bob', 'b-1', 'publish', 'users/alice/x', ReasonCode.NotAuthorized],
    // topic rules per user, read/write/deny.
    ['alice', 'a-1', 'publish', 'bob/x', ReasonCode.NotAuthorized],
    ['alice', 'a-1', 'subscribe', 'bob/#', ReasonCode.NotAuthorized],
    ['alice', 'a-1', 'subscribe', 'alice/#', ReasonCode.GrantedQoS1],
    // A deny pattern holds for a plain id, and covers more, never less, for an id that cannot stand in a level.
    ['carol', 'c-1', 'publish', 'clients/c-1/locked', ReasonCode.NotAuthorized],
    ['carol', 'c-1', 'publish', 'clients/x/locked', ReasonCode.NoMatchingSubscribers],
    ['carol', 'c/+', 'publish', 'clients/c/y/locked', ReasonCode.NotAuthorized],
    ['carol', 'c/+', 'publish', 'clients/anything', ReasonCode.NotAuthorized],
    ['carol', 'c/+', 'publish', 'elsewhere/x', ReasonCode.NoMatchingSubscribers],
  ];

  for (const [who, clientId, action, topic, expected] of table) {
    it(`${who ?? 'anonymous'} as "${clientId.length > 20 ? `${clientId.slice(0, 8)}… (${clientId.length} bytes)` : clientId}" ${action} ${topic.length > 40 ? `${topic.slice(0, 20)}…` : topic}: 0x${expected.toString(16)}`, async () => {
      const raw = await connected(broker.mqttPort, who, clientId);
      try {
        const code = action === 'publish' ? await pubackCode(raw, topic) : await subackCode(raw, topic);
        assert.equal(code, expected);
      } finally {
        raw.destroy();
      }
    });
  }

  it('delivers through a wildcard subscription only what the identity may read (A1)', async () => {
    const watcher = await connected(broker.mqttPort, 'bob', 'ü-dévice');
    assert.equal(await subackCode(watcher, 'clients/#'), ReasonCode.GrantedQoS1, 'partly readable: accepted, filtered on delivery');
    const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-pub' });
    await publish(carol, 'clients/alicecid/private', 'not for bob', { qos: 1 });
    await publish(carol, 'clients/ü-dévice/mine', 'for bob', { qos: 1 });
    const got = await watcher.expect(PacketType.Publish);
    assert.equal(got.topic, 'clients/ü-dévice/mine', 'the first message to arrive is his own: the other was never sent');
    watcher.destroy();
    await carol.endAsync();
  });

  it('picks a shared-group member that may read the topic; none may: delivered to nobody, still 0x00 (O1)', async () => {
    const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-worker' });
    const carolInbox = new Inbox(carol);
    const bob = await connectClient(broker.url, { username: 'bob', password: 'pw-b', clientId: 'bob-worker' });
    const bobInbox = new Inbox(bob);
    await carol.subscribeAsync('$share/workers/#', { qos: 1 });
    // Accepted for bob: '#' overlaps bob/#.
    assert.deepEqual((await bob.subscribeAsync('$share/workers/#', { qos: 1 })).map((g) => g.qos), [1]);
    const publisher = await connected(broker.mqttPort, 'carol', 'carol-jobs');
    for (let n = 0; n < 6; n++) assert.equal(await pubackCode(publisher, `jobs/${n}`), ReasonCode.Success);
    const jobs = await carolInbox.waitFor(6);
    assert.deepEqual(jobs.map((m) => m.topic).sort(), ['jobs/0', 'jobs/1', 'jobs/2', 'jobs/3', 'jobs/4', 'jobs/5']);
    await carol.unsubscribeAsync('$share/workers/#');
    // Only bob is left: a topic he may read reaches him, and it is the first thing he gets (no jobs/ came before).
    assert.equal(await pubackCode(publisher, 'bob/0'), ReasonCode.Success);
    assert.deepEqual((await bobInbox.waitFor(1)).map((m) => m.topic), ['bob/0']);
    // He may not read jobs/: nobody gets it, and PUBACK does not reveal the ACL with 0x10; a marker follows.
    const router = broker.app.get(Router);
    const before = router.unreadableInGroups;
    assert.equal(await pubackCode(publisher, 'jobs/lonely'), ReasonCode.Success);
    assert.equal(router.unreadableInGroups, before + 1, 'counted as delivered to nobody');
    assert.equal(await pubackCode(publisher, 'bob/1'), ReasonCode.Success);
    assert.deepEqual((await bobInbox.waitFor(2)).map((m) => m.topic), ['bob/0', 'bob/1']);
    publisher.destroy();
    await Promise.all([carol.endAsync(), bob.endAsync()]);
  });

  it('sends a new subscription only the retained messages its identity may read', async () => {
    const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-retain' });
    await publish(carol, 'alice/retained', 'alice only', { qos: 1, retain: true });
    await publish(carol, 'pub/retained', 'bob may', { qos: 1, retain: true });
    const bob = await connected(broker.mqttPort, 'bob', 'bob-retained');
    assert.equal(await subackCode(bob, '+/retained'), ReasonCode.GrantedQoS1);
    const first = await bob.expect(PacketType.Publish);
    assert.equal(first.topic, 'pub/retained');
    await assert.rejects(bob.expect(PacketType.Publish, 500), 'no second retained message');
    bob.destroy();
    await carol.endAsync();
  });
});

describe('authorization: a session belongs to the user that created it (A2)', () => {
  let broker: TestBroker;
  let acl: ReturnType<typeof aclFile>;
  beforeAll(async () => {
    acl = aclFile(ACL);
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', ACL_FILE: acl.file, AUTH_USERS: USERS });
  });
  afterAll(async () => {
    await broker.close();
    acl.remove();
  });

  it("refuses another user resuming an offline session with 0x87 (3.1.1: 5); its owner still gets what queued", async () => {
    const persistent = { clean: false, properties: { sessionExpiryInterval: 300 } };
    const alice = await connected(broker.mqttPort, 'alice', 'sess-a', persistent);
    assert.equal(await subackCode(alice, 'alice/#'), ReasonCode.GrantedQoS1);
    alice.destroy();
    const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-a' });
    await publish(carol, 'alice/queued', 'for alice', { qos: 1 });

    const bob = await connectAs(broker.mqttPort, 'bob', 'sess-a', persistent);
    assert.equal(bob.code, ReasonCode.NotAuthorized);
    assert.equal(bob.sessionPresent, false);
    bob.raw.destroy();
    const bob311 = await connectAs(broker.mqttPort, 'bob', 'sess-a', { clean: false }, 4);
    assert.equal(bob311.code, 5, '3.1.1: not authorized');
    bob311.raw.destroy();

    const back = await connectAs(broker.mqttPort, 'alice', 'sess-a', persistent);
    assert.equal(back.code, 0);
    assert.equal(back.sessionPresent, true);
    const queued = await back.raw.expect(PacketType.Publish);
    assert.equal(queued.topic, 'alice/queued');
    back.raw.destroy();
    await carol.endAsync();
  });

  it('refuses another user taking over a live connection: the owner stays connected and keeps receiving', async () => {
    const alice = await connectClient(broker.url, { username: 'alice', password: 'pw-a', clientId: 'sess-live' });
    const inbox = new Inbox(alice);
    await alice.subscribeAsync('alice/live', { qos: 1 });
    const bob = await connectAs(broker.mqttPort, 'bob', 'sess-live');
    assert.equal(bob.code, ReasonCode.NotAuthorized);
    bob.raw.destroy();
    await publish(alice, 'alice/live', 'still mine', { qos: 1 });
    assert.equal((await inbox.waitFor(1))[0].payload.toString(), 'still mine');
    assert.equal(alice.connected, true);
    await alice.endAsync();
  });

  it('lets the same user take over its own live session, Session Present 1 [MQTT-3.1.4-3]', async () => {
    const persistent = { clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = await connected(broker.mqttPort, 'alice', 'sess-own', persistent);
    const second = await connectAs(broker.mqttPort, 'alice', 'sess-own', persistent);
    assert.equal(second.code, 0);
    assert.equal(second.sessionPresent, true);
    assert.equal((await first.expect(PacketType.Disconnect)).reasonCode, ReasonCode.SessionTakenOver);
    first.destroy();
    second.raw.destroy();
  });
});

describe('authorization: a 65,535-byte user name, again and again', () => {
  let small: TestBroker;
  beforeAll(async () => {
    // Counted per user name only: every client here comes from 127.0.0.1.
    small = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: USERS, LOGIN_FAILURES_PER_ADDRESS: '0' });
  });
  afterAll(() => small.close());

  it('answers a 65,535-byte user name with 0x86, then, repeated, with 0x9F from the login throttle; the broker unharmed', async () => {
    const name = 'n'.repeat(65_535);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const raw = await RawClient.open(small.mqttPort);
      raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: `long-${i}`, username: name, password: Buffer.from('x') } as ConnectPacket);
      codes.push((await raw.expect(PacketType.Connack)).reasonCode);
      raw.destroy();
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(ReasonCode.BadUserNameOrPassword));
    assert.deepEqual(codes.slice(10), [ReasonCode.ConnectionRateExceeded, ReasonCode.ConnectionRateExceeded]);
    const alice = await connectAs(small.mqttPort, 'alice', 'after-long-names');
    assert.equal(alice.code, 0);
    alice.raw.destroy();
  });
});

describe('authorization: SESSION_USER_MISMATCH=clean gives another user a new session', () => {
  let broker: TestBroker;
  let acl: ReturnType<typeof aclFile>;
  beforeAll(async () => {
    acl = aclFile(ACL);
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', ACL_FILE: acl.file, AUTH_USERS: USERS, SESSION_USER_MISMATCH: 'clean' });
  });
  afterAll(async () => {
    await broker.close();
    acl.remove();
  });

  it("starts bob clean (Session Present 0): none of alice's subscriptions or queued messages", async () => {
    const persistent = { clean: false, properties: { sessionExpiryInterval: 300 } };
    const alice = await connected(broker.mqttPort, 'alice', 'sess-c', persistent);
    await subackCode(alice, 'alice/#');
    alice.destroy();
    const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-c' });
    await publish(carol, 'alice/queued', 'for alice', { qos: 1 });
    const bob = await connectAs(broker.mqttPort, 'bob', 'sess-c', persistent);
    assert.equal(bob.code, 0);
    assert.equal(bob.sessionPresent, false);
    await publish(carol, 'bob/marker', 'marker', { qos: 1 });
    assert.equal(await subackCode(bob.raw, 'bob/marker'), ReasonCode.GrantedQoS1);
    await publish(carol, 'bob/marker', 'marker', { qos: 1 });
    const first = await bob.raw.expect(PacketType.Publish);
    assert.equal(first.topic, 'bob/marker', "alice's queued message was not handed to bob");
    bob.raw.destroy();
    await carol.endAsync();
  });
});

describe('authorization: what a session holds is read under the rules of the day it is resumed', () => {
  it('drops queued messages an ACL changed across a restart no longer allows, and delivers the rest', async () => {
    // A database that outlives the broker.
    const acl = aclFile(ACL);
    const db = await createTestDatabase(defaultDatabaseKind());
    const env = { ALLOW_ANONYMOUS: 'false', ACL_FILE: acl.file, AUTH_USERS: USERS };
    try {
      let broker = await startBrokerOn(db.options, {}, env);
      const persistent = { clean: false, properties: { sessionExpiryInterval: 300 } };
      const alice = await connected(broker.mqttPort, 'alice', 'sess-r', persistent);
      await subackCode(alice, 'alice/#');
      alice.destroy();
      const carol = await connectClient(broker.url, { username: 'carol', password: 'pw-c', clientId: 'carol-r' });
      await publish(carol, 'alice/secret', 'soon forbidden', { qos: 1 });
      await publish(carol, 'alice/ok', 'still allowed', { qos: 1 });
      await carol.endAsync();
      await broker.close();

      writeFileSync(acl.file, `${ACL}\nuser alice\ntopic deny alice/secret\n`);
      broker = await startBrokerOn(db.options, {}, env);
      try {
        const back = await connectAs(broker.mqttPort, 'alice', 'sess-r', persistent);
        assert.equal(back.sessionPresent, true);
        const first = await back.raw.expect(PacketType.Publish);
        assert.equal(first.topic, 'alice/ok');
        await assert.rejects(back.raw.expect(PacketType.Publish, 500), 'alice/secret is not delivered');
        back.raw.destroy();
      } finally {
        await broker.close();
      }
    } finally {
      await db.drop();
      acl.remove();
    }
  });
});

describe('authorization: $SYS and wills (O2, O3)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'true' });
  });
  afterAll(() => broker.close());

  it('refuses a client writing $SYS, without an ACL file too: PUBACK 0x87, nothing retained', async () => {
    const raw = await connected(broker.mqttPort, undefined, 'sys-writer');
    assert.equal(await pubackCode(raw, '$SYS/broker/version', true), ReasonCode.NotAuthorized);
    assert.equal(await pubackCode(raw, '$SYS', true), ReasonCode.NotAuthorized);
    assert.equal(await pubackCode(raw, '$SYSTEM/mine', true), ReasonCode.NoMatchingSubscribers, 'only $SYS itself is the server\'s');
    assert.equal(await subackCode(raw, '$SYS/broker/version'), ReasonCode.GrantedQoS1);
    await assert.rejects(raw.expect(PacketType.Publish, 500), 'no retained $SYS/broker/version written by a client');
    raw.destroy();
  });

  it('refuses a will on $SYS with CONNACK 0x87', async () => {
    const { code, raw } = await connectAs(broker.mqttPort, undefined, 'sys-will', { will: { topic: '$SYS/broker/uptime', payload: Buffer.from('0'), qos: 0, retain: true } });
    assert.equal(code, ReasonCode.NotAuthorized);
    raw.destroy();
  });

  it('refuses a will whose Payload Format Indicator says UTF-8 over bytes that are not, with 0x99 (§3.1.3.2.3)', async () => {
    const bad = Buffer.from([0x61, 0xff, 0xfe]);
    const { code, raw } = await connectAs(broker.mqttPort, undefined, 'bad-will', { will: { topic: 'wills/x', payload: bad, qos: 0, retain: false, properties: { payloadFormatIndicator: true } } });
    assert.equal(code, ReasonCode.PayloadFormatInvalid);
    raw.destroy();
    const good = await connectAs(broker.mqttPort, undefined, 'good-will', { will: { topic: 'wills/x', payload: Buffer.from('é'), qos: 0, retain: false, properties: { payloadFormatIndicator: true } } });
    assert.equal(good.code, 0);
    good.raw.destroy();
  });
});
