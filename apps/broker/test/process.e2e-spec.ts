import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { withTimeout } from './support/clients';
import { freePort, spawnBroker } from './support/broker-process';
import { RawClient } from './support/raw-client';

describe('the broker process', () => {
  it('prints where it listens, and on SIGTERM tells 5.0 clients 0x8B, closes 3.1.1 clients and exits 0', async () => {
    const port = await freePort();
    const broker = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' });
    assert.match(broker.output(), new RegExp(`listening on mqtt://127\\.0\\.0\\.1:${port}`));
    const v5 = await RawClient.connected(port);
    const v4 = await RawClient.connected(port, {}, 4);
    const started = Date.now();
    broker.child.kill('SIGTERM');
    const disconnect = await v5.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ServerShuttingDown);
    await v4.closed;
    const code = await withTimeout(broker.exited, 5000, 'exit after SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5000);
  });

  it('exits 1 with one clear line for a bad configuration value', async () => {
    const broker = await spawnBroker({ MQTT_PORT: 'eighteen' }, null);
    assert.equal(await broker.exited, 1);
    assert.match(broker.output(), /configuration error: MQTT_PORT=eighteen: expected an integer from 0 to 65535/);
  });

  it('exits 1 naming the port when it is taken', async () => {
    const port = await freePort();
    const first = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' });
    const second = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' }, null);
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`failed to start: .*${port}`));
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
  });
});
