import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent, UserRepository } from '@nestmq/persistence';
import { BrokerStats } from '../src/metrics/broker-stats';
import { SysTopicsPublisher } from '../src/metrics/sys-topics';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { Attempt, attempt, median, timePaths } from './support/login-timing';
import { TestBroker, startTestBroker } from './support/test-broker';

/** The `connect_refused` event of a client identifier, once stored. */
async function refusedEvent(broker: TestBroker, clientId: string): Promise<StoredSessionEvent> {
  const recorder = broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER);
  const repository = broker.app.get(SessionEventRepository);
  const deadline = Date.now() + 5000;
  for (;;) {
    await recorder?.flush();
    const event = (await repository.ofClient(clientId, 10)).events.find((e) => e.action === 'connect_refused');
    if (event !== undefined) return event;
    if (Date.now() > deadline) throw new Error(`no connect_refused event for ${clientId}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ATTACKER = '127.0.0.2';
const HONEST = '127.0.0.1';

describe('failed logins are throttled per address and per user name (A3)', () => {
  let broker: TestBroker;
  let users: UserRepository;
  beforeAll(async () => {
    // Cost 10: a password check takes tens of milliseconds, so a refusal that skips it shows.
    broker = await startTestBroker(
      {},
      { ALLOW_ANONYMOUS: 'false', BCRYPT_COST: '10', LOGIN_FAILURES_PER_ADDRESS: '3', LOGIN_FAILURES_PER_USER: '4', LOGIN_FAILURE_WINDOW: '10m' },
    );
    users = broker.app.get(UserRepository);
    await users.create({ username: 'honest', password: 'right' });
    await users.create({ username: 'victim', password: 'victim-secret' });
  });
  afterAll(() => broker.close());

  it('refuses an address with too many failed logins with 0x9F Connection rate exceeded (§3.2.2.2), unchecked, while a login from another address gets in', async () => {
    const failures: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { connack, ms } = await attempt(broker.mqttPort, { localAddress: ATTACKER, username: `made-up-${i}`, password: 'guess' });
      assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
      failures.push(ms);
    }
    const throttled: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The right password of a real user: refused all the same, the address is not listened to.
      const { connack, ms } = await attempt(broker.mqttPort, { localAddress: ATTACKER, username: 'honest', password: 'right' });
      assert.equal(connack.reasonCode, ReasonCode.ConnectionRateExceeded);
      throttled.push(ms);
    }
    assert.ok(median(throttled) < 0.25 * median(failures), `refused in ${median(throttled).toFixed(2)} ms, a password check takes ${median(failures).toFixed(2)} ms`);
    assert.equal((await attempt(broker.mqttPort, { localAddress: HONEST, username: 'honest', password: 'right' })).connack.reasonCode, ReasonCode.Success);
  });

  it('answers a throttled 3.1.1 client with return code 3 Server unavailable', async () => {
    const { connack } = await attempt(broker.mqttPort, { localAddress: ATTACKER, username: 'honest', password: 'right', version: 4 });
    assert.equal(connack.reasonCode, 3);
  });

  it('refuses a user name with too many failed logins from any address, its right password included', async () => {
    for (let i = 0; i < 4; i++) {
      const { connack } = await attempt(broker.mqttPort, { localAddress: `127.0.1.${i + 1}`, username: 'victim', password: `guess-${i}` });
      assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    }
    const { connack } = await attempt(broker.mqttPort, { localAddress: '127.0.2.1', username: 'victim', password: 'victim-secret', clientId: 'throttled-by-name' });
    assert.equal(connack.reasonCode, ReasonCode.ConnectionRateExceeded);
    const event = await refusedEvent(broker, 'throttled-by-name');
    assert.equal(event.username, 'victim');
    assert.equal(event.details?.throttled, 'username');
    assert.equal((await attempt(broker.mqttPort, { localAddress: '127.0.2.1', username: 'honest', password: 'right' })).connack.reasonCode, ReasonCode.Success);
  });

  it('records a throttled CONNECT as connect_refused with 0x9F and which count refused it, never its password, and counts it in $SYS', async () => {
    const before = broker.app.get(BrokerStats).connectsRefusedThrottled;
    const { connack } = await attempt(broker.mqttPort, { localAddress: ATTACKER, username: 'honest', password: 'the-password-tried', clientId: 'throttled-by-address' });
    assert.equal(connack.reasonCode, ReasonCode.ConnectionRateExceeded);
    const event = await refusedEvent(broker, 'throttled-by-address');
    assert.equal(event.username, 'honest');
    assert.deepEqual(event.details, { reasonCode: 0x9f, protocolVersion: 5, address: ATTACKER, throttled: 'address' });
    assert.ok(!JSON.stringify(event).includes('the-password-tried'));
    assert.equal(broker.app.get(BrokerStats).connectsRefusedThrottled, before + 1);
    assert.equal(broker.app.get(SysTopicsPublisher).snapshot()['$SYS/broker/clients/refused throttled'], before + 1);
  });

  it('records a wrong password as an unthrottled refusal', async () => {
    const { connack } = await attempt(broker.mqttPort, { localAddress: '127.0.3.1', username: 'honest', password: 'wrong', clientId: 'plain-refusal' });
    assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    const event = await refusedEvent(broker, 'plain-refusal');
    assert.deepEqual(event.details, { reasonCode: 0x86, protocolVersion: 5, address: '127.0.3.1', authenticator: 'local', authReason: 'unknown user name or wrong password' });
  });
});

describe('passwords are bytes, at most 72 of them (O3)', () => {
  let broker: TestBroker;
  const longest = 'p'.repeat(72);
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: `static-user:${longest}`, LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '0' });
    await broker.app.get(UserRepository).create({ username: 'db-user', password: longest });
    await broker.app.get(UserRepository).create({ username: 'accented', password: 'caf\u00e9' });
    await broker.app.get(UserRepository).create({ username: 'replacement', password: 'x\ufffd' });
  });
  afterAll(() => broker.close());

  it('accepts a 72-byte password and refuses one whose first 72 bytes are right with 0x86', async () => {
    for (const username of ['static-user', 'db-user']) {
      assert.equal((await attempt(broker.mqttPort, { username, password: longest })).connack.reasonCode, ReasonCode.Success, username);
      assert.equal((await attempt(broker.mqttPort, { username, password: `${longest}-and-more` })).connack.reasonCode, ReasonCode.BadUserNameOrPassword, username);
    }
  });

  it('compares the password bytes as sent, not their reading as UTF-8 (Password is Binary Data, §3.1.3.6)', async () => {
    assert.equal((await attempt(broker.mqttPort, { username: 'accented', password: Buffer.from('caf\u00e9') })).connack.reasonCode, ReasonCode.Success);
    assert.equal((await attempt(broker.mqttPort, { username: 'accented', password: Buffer.from('caf\u00e9', 'latin1') })).connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    // 0xFF is no UTF-8: read as text it becomes U+FFFD, which is this user's password.
    assert.equal((await attempt(broker.mqttPort, { username: 'replacement', password: Buffer.from('x\ufffd') })).connack.reasonCode, ReasonCode.Success);
    assert.equal((await attempt(broker.mqttPort, { username: 'replacement', password: Buffer.from([0x78, 0xff]) })).connack.reasonCode, ReasonCode.BadUserNameOrPassword);
  });

  it('refuses to start with an AUTH_USERS password over 72 bytes', async () => {
    await assert.rejects(startTestBroker({}, { AUTH_USERS: `alice:${'p'.repeat(73)}` }), /AUTH_USERS: the password of "alice" has 73 bytes; at most 72/);
  });

  it('refuses to start with an ADMIN_PASSWORD over 72 bytes', async () => {
    await assert.rejects(startTestBroker({}, { ADMIN_PASSWORD: '\u00e9'.repeat(40) }), /ADMIN_PASSWORD has 80 bytes; at most 72/);
  });
});

describe('equal timing of every refused login (A4)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(
      {},
      { ALLOW_ANONYMOUS: 'false', BCRYPT_COST: '8', AUTH_USERS: 'static-user:static-secret', LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '0' },
    );
    const users = broker.app.get(UserRepository);
    await users.create({ username: 'db-user', password: 'db-secret' });
    await users.create({ username: 'db-disabled', password: 'db-secret', enabled: false });
  });
  afterAll(() => broker.close());

  it('answers 0x86 after the same work whether the name is unknown, static, in the database or disabled', async () => {
    const paths: Record<string, Attempt> = {
      'unknown user': { username: 'nobody-at-all', password: 'guess' },
      'static user, wrong password': { username: 'static-user', password: 'guess' },
      'database user, wrong password': { username: 'db-user', password: 'guess' },
      'disabled database user': { username: 'db-disabled', password: 'db-secret' },
    };
    const result = await timePaths(broker.mqttPort, paths, 25);
    console.log(Object.entries(result).map(([n, r]) => `${n}: ${r.median.toFixed(2)} ms`).join('; '));
    for (const [name, r] of Object.entries(result)) assert.deepEqual([...r.codes], [ReasonCode.BadUserNameOrPassword], name);
    const slowest = Math.max(...Object.values(result).map((r) => r.median));
    for (const [name, r] of Object.entries(result)) {
      assert.ok(r.median >= 0.5 * slowest, `${name}: median ${r.median.toFixed(2)} ms against the slowest path's ${slowest.toFixed(2)} ms`);
    }
  });
});

describe('equal timing with anonymous access on (A4)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(
      {},
      { ALLOW_ANONYMOUS: 'true', BCRYPT_COST: '8', AUTH_USERS: 'static-user:static-secret', LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '0' },
    );
    await broker.app.get(UserRepository).create({ username: 'db-user', password: 'db-secret' });
  });
  afterAll(() => broker.close());

  it('lets an unknown name in as anonymous after the same work as refusing a known one', async () => {
    const result = await timePaths(
      broker.mqttPort,
      {
        'unknown name, let in as anonymous': { username: 'nobody-at-all', password: 'guess' },
        'static user, wrong password': { username: 'static-user', password: 'guess' },
        'database user, wrong password': { username: 'db-user', password: 'guess' },
      },
      25,
    );
    console.log(Object.entries(result).map(([n, r]) => `${n}: ${r.median.toFixed(2)} ms`).join('; '));
    assert.deepEqual([...result['unknown name, let in as anonymous'].codes], [ReasonCode.Success]);
    assert.deepEqual([...result['static user, wrong password'].codes], [ReasonCode.BadUserNameOrPassword]);
    const slowest = Math.max(...Object.values(result).map((r) => r.median));
    for (const [name, r] of Object.entries(result)) {
      assert.ok(r.median >= 0.5 * slowest, `${name}: median ${r.median.toFixed(2)} ms against the slowest path's ${slowest.toFixed(2)} ms`);
    }
  });
});
