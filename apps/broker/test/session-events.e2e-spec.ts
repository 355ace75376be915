import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent } from '@nestmq/persistence';
import { KeepAliveMonitor } from '../src/keepalive/keep-alive-monitor';
import { SysTopicsPublisher } from '../src/metrics/sys-topics';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { SessionEventRetention } from '../src/session-events/session-event-retention';
import { ListenersService } from '../src/transport/listeners.service';
import { closed, connectClient, eventually } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const PASSWORD = 'alice-secret';
const ALL_TIME = { from: new Date(0), to: new Date(Date.UTC(3000, 0, 1)) };

/** The broker side of a test: its recorder, the table, and a way to wait until every connection has closed. */
class EventLog {
  readonly recorder: SessionEventRecorder | null;
  readonly repository: SessionEventRepository;
  private readonly keepAlive: KeepAliveMonitor;

  constructor(broker: TestBroker) {
    this.recorder = broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER);
    this.repository = broker.app.get(SessionEventRepository);
    this.keepAlive = broker.app.get(KeepAliveMonitor);
  }

  /** Every connection the broker had has closed (each connection is watched until its socket closes). */
  settled(): Promise<void> {
    return eventually(() => this.keepAlive.size === 0, 5000, 'the broker to see every connection closed');
  }

  /** A client's events, oldest first, once at least `count` are stored: flushed and read until then. */
  async of(clientId: string, count: number): Promise<StoredSessionEvent[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      await this.recorder?.flush();
      const { events } = await this.repository.ofClient(clientId, 100);
      if (events.length >= count) return events.reverse();
      if (Date.now() > deadline) throw new Error(`expected ${count} events of ${clientId}, got ${events.map((e) => e.action).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const actions = (events: StoredSessionEvent[]): string[] => events.map((e) => e.action);

describe('session events', () => {
  let broker: TestBroker;
  let log: EventLog;
  beforeAll(async () => {
    broker = await startTestBroker({}, { AUTH_USERS: `alice:${PASSWORD}` });
    log = new EventLog(broker);
  });
  afterAll(() => broker.close());

  it('records connect, subscribe, unsubscribe and a clean disconnect, with their details', async () => {
    const client = await connectClient(broker.url, { clientId: 'ev-basic', username: 'alice', password: PASSWORD, keepalive: 30 });
    await client.subscribeAsync({ 'ev/a': { qos: 1 }, 'ev/+/b': { qos: 2 } });
    await client.unsubscribeAsync(['ev/a', 'ev/none']);
    await client.endAsync();
    await log.settled();
    const events = await log.of('ev-basic', 4);
    assert.deepEqual(actions(events), ['connect', 'subscribe', 'unsubscribe', 'disconnect']);
    assert.ok(events.every((e) => e.username === 'alice'));
    const [connect, subscribe, unsubscribe, disconnect] = events.map((e) => e.details!);
    assert.deepEqual({ ...connect, address: undefined }, {
      protocolVersion: 5, cleanStart: true, sessionPresent: false, keepAlive: 30, sessionExpiryInterval: 0, address: undefined,
      authenticator: 'local', authReason: 'password matches',
    });
    assert.match(connect.address as string, /127\.0\.0\.1/);
    assert.deepEqual(subscribe.topics, [
      { filter: 'ev/a', qos: 1, reasonCode: 1 },
      { filter: 'ev/+/b', qos: 2, reasonCode: 2 },
    ]);
    assert.deepEqual(unsubscribe.topics, [
      { filter: 'ev/a', reasonCode: ReasonCode.Success },
      { filter: 'ev/none', reasonCode: ReasonCode.NoSubscriptionExisted },
    ]);
    assert.deepEqual({ ...disconnect, connectedMs: undefined }, { by: 'client', reasonCode: ReasonCode.Success, connectedMs: undefined });
    const sys = broker.app.get(SysTopicsPublisher).snapshot();
    assert.ok(Number(sys['$SYS/broker/events/recorded']) >= 4);
    assert.equal(sys['$SYS/broker/events/dropped'], 0);
  });

  it('records a wrong password as connect_refused 0x86 under the claimed user name, never the password', async () => {
    await assert.rejects(connectClient(broker.url, { clientId: 'ev-intruder', username: 'alice', password: 'not-the-password' }));
    await log.settled();
    const events = await log.of('ev-intruder', 1);
    assert.deepEqual(actions(events), ['connect_refused'], 'a refused connection has no disconnect');
    assert.equal(events[0].username, 'alice');
    assert.equal(events[0].details!.reasonCode, ReasonCode.BadUserNameOrPassword);
    const everything = await log.repository.search(ALL_TIME, 10_000);
    assert.ok(!JSON.stringify(everything).includes('not-the-password'));
  });

  it('records a takeover as kicked for the old connection, not as its disconnect [MQTT-3.1.4-3]', async () => {
    const first = await RawClient.connected(broker.mqttPort, { clientId: 'ev-twin' });
    const second = await RawClient.connected(broker.mqttPort, { clientId: 'ev-twin' });
    assert.equal((await first.expect(PacketType.Disconnect)).reasonCode, ReasonCode.SessionTakenOver);
    await first.closed;
    second.send({ type: PacketType.Disconnect, reasonCode: ReasonCode.Success });
    await second.closed;
    await log.settled();
    const events = await log.of('ev-twin', 4);
    assert.deepEqual(actions(events), ['connect', 'kicked', 'connect', 'disconnect']);
    assert.equal(events[1].details!.reasonCode, ReasonCode.SessionTakenOver);
    assert.equal(events[3].details!.by, 'client');
  });

  it('records a keep-alive timeout as disconnect 0x8D by keep-alive [MQTT-3.1.2-22]', async () => {
    const idle = await RawClient.connected(broker.mqttPort, { clientId: 'ev-idle', keepAlive: 1 });
    // Silent for 1.5 times the Keep Alive: the broker disconnects it.
    assert.equal((await idle.expect(PacketType.Disconnect, 4000)).reasonCode, ReasonCode.KeepAliveTimeout);
    await idle.closed;
    await log.settled();
    const events = await log.of('ev-idle', 2);
    assert.deepEqual(actions(events), ['connect', 'disconnect']);
    assert.equal(events[0].details!.keepAlive, 1);
    assert.equal(events[1].details!.by, 'keep-alive');
    assert.equal(events[1].details!.reasonCode, ReasonCode.KeepAliveTimeout);
  });

  it('tells a protocol error, a dropped socket and a reset one apart from a DISCONNECT', async () => {
    const confused = await RawClient.connected(broker.mqttPort, { clientId: 'ev-confused' });
    confused.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'ev-confused' });
    assert.equal((await confused.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ProtocolError);
    const dropped = await RawClient.connected(broker.mqttPort, { clientId: 'ev-dropped' });
    dropped.destroy();
    const reset = await RawClient.connected(broker.mqttPort, { clientId: 'ev-reset' });
    reset.socket.resetAndDestroy(); // TCP RST: the broker's socket fails with ECONNRESET
    await log.settled();
    const [, protocolError] = await log.of('ev-confused', 2);
    assert.deepEqual([protocolError.action, protocolError.details!.by, protocolError.details!.reasonCode], ['disconnect', 'protocol-error', ReasonCode.ProtocolError]);
    const [, gone] = await log.of('ev-dropped', 2);
    assert.deepEqual([gone.action, gone.details!.by, gone.details!.reasonCode], ['disconnect', 'socket-closed', null]);
    const [, failed] = await log.of('ev-reset', 2);
    assert.deepEqual([failed.action, failed.details!.by, failed.details!.error], ['disconnect', 'socket-error', 'ECONNRESET']);
  });

  it('records a persistent session reaching its Session Expiry Interval as expired [MQTT-4.1.0-2]', async () => {
    const client = await connectClient(broker.url, { clientId: 'ev-expiring', clean: true, properties: { sessionExpiryInterval: 1 } });
    await client.subscribeAsync('ev/kept', { qos: 1 });
    await client.endAsync();
    const events = await log.of('ev-expiring', 4);
    assert.deepEqual(actions(events), ['connect', 'subscribe', 'disconnect', 'expired']);
    assert.equal(events[0].details!.sessionExpiryInterval, 1);
    assert.equal(events[3].details!.expiryInterval, 1);
    assert.ok(events[3].at.getTime() - events[2].at.getTime() >= 900, 'not before the interval has passed');
  });

  it('deletes events older than SESSION_EVENTS_RETENTION', async () => {
    const day = 86_400_000;
    const old = new Date(Date.now() - 31 * day);
    await log.repository.insertBatch([{ clientId: 'ev-ancient', username: null, action: 'connect', at: old, details: null }]);
    await log.repository.insertBatch([{ clientId: 'ev-ancient', username: null, action: 'disconnect', at: new Date(), details: null }]);
    assert.equal(broker.config.sessionEventsRetention, 30 * 86_400);
    assert.ok((await broker.app.get(SessionEventRetention).enforce()) >= 1);
    assert.deepEqual(actions(await log.of('ev-ancient', 1)), ['disconnect']);
  });

  // Last: it stops the listeners, as shutdown does before the recorder's final flush.
  it('records the disconnect of a server shutdown (0x8B)', async () => {
    const client = await connectClient(broker.url, { clientId: 'ev-shutdown' });
    const gone = closed(client);
    await broker.app.get(ListenersService).beforeApplicationShutdown();
    await gone;
    const [, disconnect] = await log.of('ev-shutdown', 2);
    assert.deepEqual([disconnect.action, disconnect.details!.by, disconnect.details!.reasonCode], ['disconnect', 'server-shutdown', ReasonCode.ServerShuttingDown]);
  });
});

describe('session events with SESSION_EVENTS=false', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { SESSION_EVENTS: 'false', AUTH_USERS: `alice:${PASSWORD}` });
  });
  afterAll(() => broker.close());

  it('writes nothing', async () => {
    const log = new EventLog(broker);
    assert.equal(log.recorder, null);
    const client = await connectClient(broker.url, { clientId: 'ev-off' });
    await client.subscribeAsync('ev/off', { qos: 1 });
    await client.unsubscribeAsync('ev/off');
    await client.endAsync();
    await assert.rejects(connectClient(broker.url, { clientId: 'ev-off-refused', username: 'alice', password: 'wrong' }));
    await log.settled();
    assert.deepEqual((await log.repository.search(ALL_TIME, 10)).events, []);
    assert.equal(broker.app.get(SysTopicsPublisher).snapshot()['$SYS/broker/events/recorded'], 0);
  });
});
