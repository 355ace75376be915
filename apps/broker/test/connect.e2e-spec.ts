import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { connect as tcpConnect } from 'node:net';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { connectClient } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('CONNECT and CONNACK', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ maxKeepAlive: 60, receiveMaximum: 50, topicAliasMaximum: 10, maxPacketSize: 4096, connectTimeout: 0.3 });
  });
  afterAll(() => broker.close());

  it('advertises the server limits and capabilities in a 5.0 CONNACK [MQTT-3.2.2]', async () => {
    const client = await RawClient.open(broker.mqttPort);
    client.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 30, clientId: 'caps' });
    const connack = await client.expect(PacketType.Connack);
    assert.equal(connack.reasonCode, ReasonCode.Success);
    assert.equal(connack.sessionPresent, false);
    const p = connack.properties!;
    assert.equal(p.receiveMaximum, 50);
    assert.equal(p.maximumPacketSize, 4096);
    assert.equal(p.topicAliasMaximum, 10);
    assert.equal(p.wildcardSubscriptionAvailable, true);
    assert.equal(p.subscriptionIdentifierAvailable, true);
    assert.equal(p.sharedSubscriptionAvailable, true);
    assert.equal(p.maximumQoS, undefined, 'QoS 2 supported: Maximum QoS absent [MQTT-3.2.2-9]');
    assert.equal(p.retainAvailable, undefined, 'retain supported: Retain Available absent');
    assert.equal(p.serverKeepAlive, undefined, 'a Keep Alive within the maximum is kept');
    client.destroy();
  });

  it('assigns a Client Identifier to a 5.0 client that sent none [MQTT-3.2.2-16]', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: '' });
    const connack = await raw.expect(PacketType.Connack);
    assert.match(connack.properties?.assignedClientIdentifier ?? '', /^nestmq-/);
    raw.destroy();
  });

  it('answers a Keep Alive above MAX_KEEPALIVE with Server Keep Alive [MQTT-3.2.2-21]', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 600, clientId: 'ka' });
    const connack = await raw.expect(PacketType.Connack);
    assert.equal(connack.properties?.serverKeepAlive, 60);
    raw.destroy();
  });

  it('accepts 3.1.1 and 3.1 clients', async () => {
    for (const version of [4, 3] as const) {
      const raw = await RawClient.open(broker.mqttPort, version);
      raw.send({ type: PacketType.Connect, protocolName: version === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: version, clean: true, keepAlive: 10, clientId: `v${version}` });
      const connack = await raw.expect(PacketType.Connack);
      assert.equal(connack.reasonCode, 0);
      assert.equal(connack.properties, undefined);
      raw.destroy();
    }
  });

  it('refuses a 3.1.1 client with an empty Client Identifier and Clean Session 0: return code 2 [MQTT-3.1.3-8]', async () => {
    const raw = await RawClient.open(broker.mqttPort, 4);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 4, clean: false, keepAlive: 10, clientId: '' });
    const connack = await raw.expect(PacketType.Connack);
    assert.equal(connack.reasonCode, 2);
    await raw.closed;
  });

  it('answers an unsupported protocol level with return code 1 and closes [MQTT-3.1.2-2]', async () => {
    const raw = await RawClient.open(broker.mqttPort, 4);
    raw.sendBytes(Buffer.from('100d00044d5154540602003c000163', 'hex'));
    const connack = await raw.expect(PacketType.Connack);
    assert.equal(connack.reasonCode, 1);
    await raw.closed;
  });

  it('closes a connection whose first packet is not CONNECT [MQTT-3.1.0-1]', async () => {
    const raw = await RawClient.open(broker.mqttPort, 4);
    raw.send({ type: PacketType.Pingreq });
    await raw.closed;
  });

  it('closes a connection that sends no CONNECT within CONNECT_TIMEOUT', async () => {
    const socket = tcpConnect(broker.mqttPort, '127.0.0.1');
    const opened = Date.now();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    assert.ok(Date.now() - opened >= 250, 'not before the timeout');
  });

  it('refuses a second CONNECT as a Protocol Error [MQTT-3.1.0-2]', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'again' });
    const disconnect = await raw.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
    await raw.closed;
  });

  it('answers a malformed CONNECT of a 5.0 client with CONNACK 0x81 [MQTT-3.2.2-8]', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    // Reserved Connect Flags bit set [MQTT-3.1.2-3].
    raw.sendBytes(Buffer.from('100e00044d5154540503003c00000163', 'hex'));
    const connack = await raw.expect(PacketType.Connack);
    assert.equal(connack.reasonCode, ReasonCode.MalformedPacket);
    await raw.closed;
  });
});

describe('authentication with a static user list', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'false', AUTH_USERS: 'alice:wonderland,bob:b:o:b' });
  });
  afterAll(() => broker.close());

  it('accepts a listed user with the right password', async () => {
    const client = await connectClient(broker.url, { username: 'bob', password: 'b:o:b' });
    assert.ok(client.connected);
    await client.endAsync();
  });

  for (const [name, username, password] of [
    ['a wrong password', 'alice', 'nope'],
    ['an unknown user', 'mallory', 'wonderland'],
  ]) {
    it(`refuses ${name} with 0x86 (5.0) and 4 (3.1.1)`, async () => {
      const v5 = await RawClient.open(broker.mqttPort);
      v5.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'x', username, password: Buffer.from(password) });
      assert.equal((await v5.expect(PacketType.Connack)).reasonCode, ReasonCode.BadUserNameOrPassword);
      await v5.closed;
      const v4 = await RawClient.open(broker.mqttPort, 4);
      v4.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 4, clean: true, keepAlive: 0, clientId: 'x', username, password: Buffer.from(password) });
      assert.equal((await v4.expect(PacketType.Connack)).reasonCode, 4);
      await v4.closed;
    });
  }

  it('refuses anonymous clients when ALLOW_ANONYMOUS is false: 0x87 Not authorized', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'anon' });
    assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.NotAuthorized);
  });

  it('refuses enhanced authentication it does not offer: 0x8C Bad authentication method', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'scram', properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.BadAuthenticationMethod);
  });
});
