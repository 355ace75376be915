import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { UserRepository } from '@nestmq/persistence';
import { connectClient } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

async function connackCode(port: number, username?: string, password?: string, version: 4 | 5 = 5): Promise<number> {
  const raw = await RawClient.open(port, version);
  raw.send({
    type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: `u-${Math.random()}`,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password: Buffer.from(password) } : {}),
  });
  const connack = await raw.expect(PacketType.Connack);
  raw.destroy();
  return connack.reasonCode;
}

describe('users in the database', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'r00t' });
    await broker.app.get(UserRepository).create({ username: 'sensor-1', password: 'p4ss' });
  });
  afterAll(() => broker.close());

  it('lets a user of the users table connect with its password (bcrypt)', async () => {
    const client = await connectClient(broker.url, { username: 'sensor-1', password: 'p4ss' });
    assert.ok(client.connected);
    await client.endAsync();
  });

  it('refuses a wrong password and an unknown user alike: 0x86 (5.0), 4 (3.1.1)', async () => {
    assert.equal(await connackCode(broker.mqttPort, 'sensor-1', 'wrong'), ReasonCode.BadUserNameOrPassword);
    assert.equal(await connackCode(broker.mqttPort, 'nobody', 'p4ss'), ReasonCode.BadUserNameOrPassword);
    assert.equal(await connackCode(broker.mqttPort, 'sensor-1', 'wrong', 4), 4);
  });

  it('refuses a disabled user', async () => {
    const users = broker.app.get(UserRepository);
    await users.create({ username: 'retired', password: 'x' });
    await users.setEnabled('retired', false);
    assert.equal(await connackCode(broker.mqttPort, 'retired', 'x'), ReasonCode.BadUserNameOrPassword);
  });

  it('creates the first admin from ADMIN_USERNAME and ADMIN_PASSWORD', async () => {
    const admin = await broker.app.get(UserRepository).findByUsername('root');
    assert.deepEqual(admin?.roles, ['admin']);
    assert.equal(await connackCode(broker.mqttPort, 'root', 'r00t'), ReasonCode.Success);
  });
});

describe('anonymous access beside database users', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'true' });
    await broker.app.get(UserRepository).create({ username: 'known', password: 'secret' });
  });
  afterAll(() => broker.close());

  it('still checks the password of a known user', async () => {
    assert.equal(await connackCode(broker.mqttPort, 'known', 'guess'), ReasonCode.BadUserNameOrPassword);
    assert.equal(await connackCode(broker.mqttPort, 'known', 'secret'), ReasonCode.Success);
  });

  it('lets a client with no credentials, or a name nobody has, in as anonymous', async () => {
    assert.equal(await connackCode(broker.mqttPort), ReasonCode.Success);
    assert.equal(await connackCode(broker.mqttPort, 'made-up', 'anything'), ReasonCode.Success);
  });
});
