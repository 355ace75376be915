import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType } from '@nestmq/mqtt-protocol';
import { AuthModule } from '../src/auth/auth.module';
import { KeepAliveModule } from '../src/keepalive/keepalive.module';
import { InflightCap } from '../src/qos/inflight-cap';
import { InflightWindows } from '../src/qos/inflight-windows';
import { QosModule } from '../src/qos/qos.module';
import { SessionModule } from '../src/session/session.module';
import { SessionRegistry } from '../src/session/session-registry';
import { TransportModule } from '../src/transport/transport.module';
import { WillModule } from '../src/will/will.module';
import { connectClient, eventually, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('AppModule: the broker composed from its modules', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ maxQueuedMessages: 7, maxQueuedBytes: 1 << 20, maxInflightMessages: 3, historyTopics: [] });
  });
  afterAll(() => broker.close());

  it('holds the six modules the design names: Transport, Session, Auth, QoS, Will and KeepAlive', () => {
    for (const module of [TransportModule, SessionModule, AuthModule, QosModule, WillModule, KeepAliveModule]) {
      assert.doesNotThrow(() => broker.app.select(module), `${module.name} is part of the application`);
    }
  });

  it("gives every session a window from QoS with the broker's queue limits", async () => {
    const windows = broker.app.select(QosModule).get(InflightWindows);
    assert.deepEqual(windows.limits, { messages: 7, bytes: 1 << 20 });
    const away = await RawClient.connected(broker.mqttPort, { clientId: 'away', clean: false, properties: { sessionExpiryInterval: 60 } });
    away.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'q/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await away.expect(PacketType.Suback);
    away.destroy();
    const sessions = broker.app.get(SessionRegistry);
    await eventually(() => sessions.get('away')?.online === false, 5000, 'the session to go offline');
    const publisher = await connectClient(broker.url);
    for (let i = 0; i < 10; i++) await publish(publisher, `q/${i}`, String(i), { qos: 1 });
    assert.equal(sessions.get('away')!.outbound.queued, 7, 'MAX_QUEUED_MESSAGES, through the window QoS built');
    await publisher.endAsync();
  });

  it('applies the in-flight cap from QoS to a client announcing a larger Receive Maximum', async () => {
    assert.equal(broker.app.select(QosModule).get(InflightCap).max, 3);
    const client = await RawClient.connected(broker.mqttPort, { clientId: 'wide', properties: { receiveMaximum: 1000 } });
    await eventually(() => broker.app.get(SessionRegistry).get('wide')?.connection !== null, 5000, 'the connection to attach');
    assert.equal(broker.app.get(SessionRegistry).get('wide')!.connection!.peerReceiveMaximum, 3);
    client.destroy();
  });
});
