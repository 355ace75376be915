import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { TestDatabase, createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { SignJWT } from 'jose';
import { MqttClient } from 'mqtt';
import { ADMIN, errorCode, graphql, signIn } from './support/admin-api';
import { connectClient, connectWithInbox, publish, pubackCode } from './support/clients';
import { TestBroker, startBrokerOn, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const ENV = { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

const RULE_FIELDS = 'id source position permission action topic username clientId anonymous role comment fileLine';
const CREATE = `mutation ($i: CreateAclRuleInput!) { createAclRule(input: $i) { ${RULE_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $i: UpdateAclRuleInput!) { updateAclRule(id: $id, input: $i) { ${RULE_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteAclRule(id: $id) }`;
const LIST = `{ aclRules { ${RULE_FIELDS} } }`;

interface Rule {
  id: string;
  source: string;
  position: number | null;
  permission: string;
  action: string;
  topic: string;
  username: string | null;
  clientId: string | null;
  anonymous: boolean;
  role: string | null;
  comment: string | null;
  fileLine: number | null;
}

/** The SUBACK's reason code for one filter (mqtt.js rejects a refusal with the SUBACK attached). */
async function subackCode(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0].qos;
  } catch (e) {
    const granted = (e as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted === undefined) throw e;
    return granted[0];
  }
}

describe('admin API: topic rules in the database, applied to connected clients at once', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  let viewer: string;
  let device: MqttClient;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, ENV);
    const users = broker.app.get(UserRepository);
    await users.create({ username: 'dev1', password: 'dev1-secret' });
    await users.create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    gql = graphql(broker);
    admin = await signIn(broker);
    viewer = await signIn(broker, 'watcher', 'watcher-secret');
    device = await connectClient(broker.url, { clientId: 'dev1-c', username: 'dev1', password: 'dev1-secret' });
  });
  afterAll(async () => {
    await device.endAsync(true);
    await broker.close();
  });

  it('refuses the next publish of a connected client once a deny rule is added, and allows it again once removed', async () => {
    assert.equal(await pubackCode(device, 'plant/line1/temp'), 0, 'no rule: everything is allowed');
    // With a rule in force the client's decision for the topic is made, and remembered, before the deny.
    const allow = (await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'allow', action: 'publish', topic: 'plant/#' } }, admin)).data!.createAclRule;
    assert.equal(await pubackCode(device, 'plant/line1/temp'), 0);
    const created = await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'deny', action: 'publish', topic: 'plant/#', username: 'dev1', comment: 'line stop', position: 1 } }, admin);
    assert.equal(errorCode(created), undefined, created.errors?.[0]?.message);
    const rule = created.data!.createAclRule;
    assert.deepEqual({ ...rule, id: undefined }, { id: undefined, source: 'database', position: 1, permission: 'deny', action: 'publish', topic: 'plant/#', username: 'dev1', clientId: null, anonymous: false, role: null, comment: 'line stop', fileLine: null });

    assert.equal(await pubackCode(device, 'plant/line1/temp'), 0x87, 'the same topic, allowed a moment ago, is refused now (0x87 Not authorized)');
    assert.equal(await pubackCode(device, 'office/temp'), 0, 'what the rule does not name stays allowed');

    const deleted = await gql<{ deleteAclRule: boolean }>(DELETE, { id: rule.id }, admin);
    assert.equal(deleted.data?.deleteAclRule, true);
    assert.equal(await pubackCode(device, 'plant/line1/temp'), 0);
    await gql(DELETE, { id: allow.id }, admin);
  });

  it('stops delivering what a new rule denies reading to a subscribed client, and refuses a subscription it wholly denies', async () => {
    const [reader, inbox] = await connectWithInbox(broker.url, { clientId: 'reader', username: 'dev1', password: 'dev1-secret' });
    let ruleId: string | undefined;
    try {
      await reader.subscribeAsync('yard/#', { qos: 1 });
      await publish(device, 'yard/a', 'one', { qos: 1 });
      await inbox.waitFor(1);
      const created = await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'deny', action: 'subscribe', topic: 'yard/secret', clientId: 'reader' } }, admin);
      ruleId = created.data!.createAclRule.id;
      await publish(device, 'yard/secret', 'hidden', { qos: 1 });
      await publish(device, 'yard/b', 'two', { qos: 1 });
      const got = await inbox.waitFor(2);
      assert.deepEqual(got.map((m) => m.payload.toString()), ['one', 'two'], 'yard/secret went to nobody');
      assert.equal(await subackCode(reader, 'yard/secret'), 0x87);
    } finally {
      if (ruleId !== undefined) await gql(DELETE, { id: ruleId }, admin);
      await reader.endAsync(true);
    }
  });

  it('reads rules in order: moving an allow above a deny lets it decide', async () => {
    const deny = (await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'deny', action: 'all', topic: 'zone/#' } }, admin)).data!.createAclRule;
    const allow = (await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'allow', action: 'publish', topic: 'zone/%u/#' } }, admin)).data!.createAclRule;
    assert.deepEqual([deny.position, allow.position], [1, 2]);
    assert.equal(await pubackCode(device, 'zone/dev1/x'), 0x87, 'the deny comes first');
    const moved = await gql<{ updateAclRule: Rule }>(UPDATE, { id: allow.id, i: { position: 1 } }, admin);
    assert.equal(moved.data?.updateAclRule.position, 1);
    assert.equal(await pubackCode(device, 'zone/dev1/x'), 0, 'the allow, with %u as dev1, comes first now');
    assert.equal(await pubackCode(device, 'zone/other/x'), 0x87);
    const list = (await gql<{ aclRules: Rule[] }>(LIST, {}, viewer)).data!.aclRules;
    assert.deepEqual(list.map((r) => [r.position, r.id]), [[1, allow.id], [2, deny.id]], 'a viewer may read the rules');
    for (const r of [deny, allow]) await gql(DELETE, { id: r.id }, admin);
  });

  it('lets a viewer change nothing, and says what is wrong with a bad rule', async () => {
    const byViewer = await gql(CREATE, { i: { permission: 'deny', action: 'all', topic: 'x' } }, viewer);
    assert.equal(errorCode(byViewer), 'FORBIDDEN');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ permission: 'deny', action: 'all', topic: 'a/#/b' }, /topic: .* is not a topic filter/],
      [{ permission: 'deny', action: 'all', topic: 'a/%c+/b' }, /is not a topic filter/],
      [{ permission: 'deny', action: 'all', topic: 'x', username: 'u', anonymous: true }, /anonymous/],
      [{ permission: 'deny', action: 'all', topic: 'x', clientId: '' }, /clientId/],
      [{ permission: 'deny', action: 'all', topic: 'x', position: 0 }, /position/],
    ];
    for (const [input, message] of cases) {
      const answer = await gql(CREATE, { i: input }, admin);
      assert.equal(errorCode(answer), 'BAD_USER_INPUT', JSON.stringify(input));
      assert.match(answer.errors![0].message, message);
    }
    assert.equal(errorCode(await gql(UPDATE, { id: '999999', i: { topic: 'y' } }, admin)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(DELETE, { id: 'file:1' }, admin)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(UPDATE, { id: '1', i: { topic: null } }, admin)), 'BAD_USER_INPUT');
    assert.deepEqual((await gql<{ aclRules: Rule[] }>(LIST, {}, admin)).data!.aclRules, [], 'nothing was written');
  });

  it('writes every rule change to the audit log, before and after', async () => {
    const rule = (await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'allow', action: 'subscribe', topic: 'audit/#' } }, admin)).data!.createAclRule;
    await gql(UPDATE, { id: rule.id, i: { topic: 'audited/#' } }, admin);
    await gql(DELETE, { id: rule.id }, admin);
    const log = await gql<{ auditLog: { entries: Array<{ actor: string; action: string; target: string; details: { before?: { topic: string }; after?: { topic: string } } }> } }>(
      `{ auditLog(first: 3) { entries { actor action target details } } }`,
      {},
      admin,
    );
    const entries = log.data!.auditLog.entries.reverse();
    assert.deepEqual(entries.map((e) => [e.actor, e.action, e.target]), [['admin', 'createAclRule', rule.id], ['admin', 'updateAclRule', rule.id], ['admin', 'deleteAclRule', rule.id]]);
    assert.deepEqual([entries[1].details.before?.topic, entries[1].details.after?.topic], ['audit/#', 'audited/#']);
  });
});

describe('admin API: the ACL file stays a read-only source beside the database rules', () => {
  let broker: TestBroker;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestmq-acl-'));
    const file = join(dir, 'broker.acl');
    writeFileSync(file, 'topic read public/#\nuser dev1\ntopic readwrite dev/#\ntopic deny dev/locked\npattern write clients/%c/#\n');
    broker = await startTestBroker({ httpPort: 0 }, { ...ENV, ACL_FILE: file });
    await broker.app.get(UserRepository).create({ username: 'dev1', password: 'dev1-secret' });
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the file rules after the database rules, and lets a database rule decide before the file', async () => {
    const gql = graphql(broker);
    const admin = await signIn(broker);
    const created = (await gql<{ createAclRule: Rule }>(CREATE, { i: { permission: 'allow', action: 'publish', topic: 'dev/locked', username: 'dev1' } }, admin)).data!.createAclRule;
    const list = (await gql<{ aclRules: Rule[] }>(LIST, {}, admin)).data!.aclRules;
    assert.deepEqual(
      list.map((r) => [r.id, r.source, r.permission, r.action, r.topic, r.username, r.anonymous, r.fileLine]),
      [
        [created.id, 'database', 'allow', 'publish', 'dev/locked', 'dev1', false, null],
        ['file:1', 'file', 'allow', 'subscribe', 'public/#', null, true, 1],
        ['file:3', 'file', 'allow', 'all', 'dev/#', 'dev1', false, 3],
        ['file:4', 'file', 'deny', 'all', 'dev/locked', 'dev1', false, 4],
        ['file:5', 'file', 'allow', 'publish', 'clients/%c/#', null, false, 5],
      ],
    );
    const device = await connectClient(broker.url, { clientId: 'd1', username: 'dev1', password: 'dev1-secret' });
    try {
      assert.equal(await pubackCode(device, 'dev/locked'), 0, 'the database rule allows what the file denies');
      assert.equal(await pubackCode(device, 'dev/other'), 0, 'the file allows');
      assert.equal(await pubackCode(device, 'elsewhere'), 0x87, 'what neither allows is refused, as with the file alone');
    } finally {
      await device.endAsync(true);
    }
  });
});

describe('admin API: topic rules outlive the broker and hold without the admin API', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(defaultDatabaseKind());
  });
  afterAll(() => db.drop());

  it('applies the stored rules from the start, with HTTP_PORT off', async () => {
    const first = await startBrokerOn(db.options, { httpPort: 0 }, ENV);
    try {
      const admin = await signIn(first);
      const answer = await graphql(first)(CREATE, { i: { permission: 'deny', action: 'publish', topic: 'kept/#' } }, admin);
      assert.equal(errorCode(answer), undefined);
    } finally {
      await first.close();
    }
    const second = await startBrokerOn(db.options, {}, ENV);
    try {
      const client = await connectClient(second.url, { clientId: 'after-restart' });
      assert.equal(await pubackCode(client, 'kept/x'), 0x87);
      assert.equal(await pubackCode(client, 'free/x'), 0);
      await client.endAsync(true);
    } finally {
      await second.close();
    }
  });
});

describe('admin API: ACL_NO_MATCH=deny refuses what no rule allows', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ...ENV, ACL_NO_MATCH: 'deny' });
  });
  afterAll(() => broker.close());

  it('refuses every publish until a rule allows it', async () => {
    const client = await connectClient(broker.url, { clientId: 'closed-by-default' });
    try {
      assert.equal(await pubackCode(client, 'any/topic'), 0x87);
      await graphql(broker)(CREATE, { i: { permission: 'allow', action: 'publish', topic: 'any/#' } }, await signIn(broker));
      assert.equal(await pubackCode(client, 'any/topic'), 0);
      assert.equal(await pubackCode(client, 'other'), 0x87);
    } finally {
      await client.endAsync(true);
    }
  });
});

describe('admin API: rules naming a role apply to the clients their authenticator gave it', () => {
  const JWT_SECRET = 'a-token-secret-of-at-least-32-characters';
  let broker: TestBroker;
  let admin: string;
  const tokenFor = (sub: string, roles: string[]) =>
    new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1h').sign(new TextEncoder().encode(JWT_SECRET));
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ...ENV, AUTH_CHAIN: 'jwt,local', AUTH_JWT_SECRET: JWT_SECRET });
    admin = await signIn(broker);
  });
  afterAll(() => broker.close());

  it('lets an operator publish where everyone else is denied, and delivers alarms only to auditors', async () => {
    const gql = graphql(broker);
    const created = await gql(CREATE, { i: { permission: 'allow', action: 'publish', topic: 'plant/#', role: 'operators' } }, admin);
    assert.equal((created.data as { createAclRule: { role: string } }).createAclRule.role, 'operators');
    for (const i of [
      { permission: 'allow', action: 'subscribe', topic: 'plant/+/alarm', role: 'auditors' },
      { permission: 'deny', action: 'all', topic: 'plant/#' },
    ]) {
      assert.equal((await gql(CREATE, { i }, admin)).errors, undefined);
    }

    const operator = await connectClient(broker.url, { clientId: 'op-1', username: 'olga', password: await tokenFor('olga', ['operators']) });
    const guest = await connectClient(broker.url, { clientId: 'guest-1', username: 'gus', password: await tokenFor('gus', ['guests']) });
    const [auditor, auditorInbox] = await connectWithInbox(broker.url, { clientId: 'aud-1', username: 'ada', password: await tokenFor('ada', ['auditors']) });
    try {
      assert.equal(await pubackCode(operator, 'plant/line1/speed'), 0, 'the operators rule allows');
      assert.equal(await pubackCode(guest, 'plant/line1/speed'), 0x87, 'another role: the deny decides');
      assert.equal(await subackCode(auditor, 'plant/+/alarm'), 1, 'the auditors rule allows the subscription');
      assert.equal(await subackCode(operator, 'plant/+/alarm'), 0x87, 'operators may publish, not subscribe');
      await operator.publishAsync('plant/line1/alarm', 'overheat', { qos: 1 });
      const [received] = await auditorInbox.waitFor(1);
      assert.equal(received.topic, 'plant/line1/alarm');

      // Taking the role away from the rule: the auditor's next delivery is decided anew.
      const id = ((await gql(LIST, {}, admin)).data as { aclRules: Rule[] }).aclRules.find((r) => r.topic === 'plant/+/alarm')!.id;
      assert.equal((await gql(UPDATE, { id, i: { role: 'nobody-has-this' } }, admin)).errors, undefined);
      await operator.publishAsync('plant/line2/alarm', 'second', { qos: 1 });
      await operator.publishAsync('plant/line3/alarm', 'third', { qos: 1 });
      assert.equal((await gql(UPDATE, { id, i: { role: 'auditors' } }, admin)).errors, undefined);
      await operator.publishAsync('plant/line4/alarm', 'fourth', { qos: 1 });
      const messages = await auditorInbox.waitFor(2);
      assert.deepEqual(
        messages.map((m) => m.topic),
        ['plant/line1/alarm', 'plant/line4/alarm'],
        'nothing delivered while no role of hers was named',
      );
    } finally {
      await Promise.all([operator.endAsync(true), guest.endAsync(true), auditor.endAsync(true)]);
    }
  });

  it('gives a users-table user its roles too: a rule naming one of them applies', async () => {
    await broker.app.get(UserRepository).create({ username: 'local-operator', password: 'local-operator-pw', roles: ['operators'] });
    await broker.app.get(UserRepository).create({ username: 'local-guest', password: 'local-guest-pw', roles: ['guests'] });
    const operator = await connectClient(broker.url, { clientId: 'local-op-1', username: 'local-operator', password: 'local-operator-pw' });
    const guest = await connectClient(broker.url, { clientId: 'local-guest-1', username: 'local-guest', password: 'local-guest-pw' });
    try {
      // The rules of the test before: operators may publish under plant/, everyone else is denied there.
      assert.equal(await pubackCode(operator, 'plant/line9/speed'), 0);
      assert.equal(await pubackCode(guest, 'plant/line9/speed'), 0x87);
    } finally {
      await Promise.all([operator.endAsync(true), guest.endAsync(true)]);
    }
  });

  it('refuses an empty role name with a message, and records the role in the audit log', async () => {
    const gql = graphql(broker);
    const bad = await gql(CREATE, { i: { permission: 'allow', action: 'all', topic: 'x/#', role: '' } }, admin);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    assert.match(bad.errors![0].message, /role: leave it out \(null\) for any/);
    await gql(CREATE, { i: { permission: 'allow', action: 'all', topic: 'y/#', role: 'crew' } }, admin);
    const audit = await gql(`{ auditLog(first: 1) { entries { action details } } }`, {}, admin);
    const [entry] = (audit.data as { auditLog: { entries: Array<{ action: string; details: { after: { role: string | null } } }> } }).auditLog.entries;
    assert.equal(entry.action, 'createAclRule');
    assert.equal(entry.details.after.role, 'crew');
  });
});
