import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { BrokerStats } from '../src/metrics/broker-stats';
import { Inbox, connectClient, eventually, publish } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('bad input from many clients at once', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ maxPacketSize: 65536, connectTimeout: 1 });
  });
  afterAll(() => broker.close());

  it('closes each offender, never crashes, and keeps serving everyone else', async () => {
    const subscriber = await connectClient(broker.url);
    const inbox = new Inbox(subscriber);
    await subscriber.subscribeAsync('healthy/#', { qos: 1 });
    const publisher = await connectClient(broker.url);

    const offenders = 60;
    const closedCount = { n: 0 };
    const sockets = Array.from({ length: offenders }, (_, i) => {
      const socket = connect(broker.mqttPort, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume(); // read what the broker answers, so its FIN is seen
      socket.on('close', () => closedCount.n++);
      socket.on('connect', () => {
        // Half send garbage straight away; half connect properly and then misbehave.
        if (i % 2 === 0) {
          socket.write(randomBytes(64 + (i % 7) * 100));
        } else {
          socket.write(Buffer.from('101000044d5154540502000a000003' + Buffer.from('bad').toString('hex'), 'hex'));
          socket.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])); // a Remaining Length of five bytes
        }
      });
      return socket;
    });

    for (let i = 0; i < 20; i++) await publish(publisher, `healthy/${i}`, String(i), { qos: 1 });
    assert.equal((await inbox.waitFor(20)).length, 20);
    await eventually(() => closedCount.n === offenders, 15_000, 'every offender to be closed');
    assert.ok(broker.app.get(BrokerStats).protocolErrors >= offenders / 2);
    for (const s of sockets) s.destroy();
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  });
});
