/**
 * Both codecs' packet objects reduced to one comparable shape, so the benchmark can check before timing
 * that the two parsers read the same packets and that each side's encoding reads back as the other's.
 */
import { Packet, PacketType, Properties } from '@nestmq/mqtt-protocol';
import * as mqttPacket from 'mqtt-packet';

type Canon = Record<string, unknown>;

function canonProps(entries: Record<string, unknown> | undefined): Canon | undefined {
  if (entries === undefined) return undefined;
  const out: Canon = {};
  for (const key of Object.keys(entries).sort()) {
    const value = entries[key];
    if (value === undefined) continue;
    out[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function sortedPairs(pairs: Array<[string, string]>): Array<[string, string]> {
  return [...pairs].sort((a, b) => (a[0] + '\0' + a[1] < b[0] + '\0' + b[1] ? -1 : 1));
}

function oursProps(props: Properties | undefined): Canon | undefined {
  if (props === undefined) return undefined;
  const { userProperties, subscriptionIdentifiers, ...rest } = props;
  const bag: Record<string, unknown> = { ...rest };
  if (userProperties) bag.userProperties = sortedPairs(userProperties);
  if (subscriptionIdentifiers) bag.subscriptionIdentifiers = subscriptionIdentifiers;
  return canonProps(bag);
}

function theirsProps(props: Record<string, unknown> | undefined): Canon | undefined {
  if (props === undefined) return undefined;
  const { userProperties, subscriptionIdentifier, ...rest } = props as {
    userProperties?: mqttPacket.UserProperties;
    subscriptionIdentifier?: number | number[];
  };
  const bag: Record<string, unknown> = { ...rest };
  if (userProperties) {
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(userProperties)) {
      for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
    }
    bag.userProperties = sortedPairs(pairs);
  }
  if (subscriptionIdentifier !== undefined) {
    bag.subscriptionIdentifiers = Array.isArray(subscriptionIdentifier) ? subscriptionIdentifier : [subscriptionIdentifier];
  }
  return canonProps(bag);
}

export function canonOurs(p: Packet): string {
  switch (p.type) {
    case PacketType.Publish:
      return JSON.stringify({
        cmd: 'publish', topic: p.topic, qos: p.qos, retain: p.retain, dup: p.dup, id: p.packetId ?? 0,
        payload: p.payload.toString('base64'), props: oursProps(p.properties),
      });
    case PacketType.Connect:
      return JSON.stringify({
        cmd: 'connect', version: p.protocolVersion, clean: p.clean, keepAlive: p.keepAlive, clientId: p.clientId,
        username: p.username, password: p.password?.toString('base64'), props: oursProps(p.properties),
      });
    case PacketType.Subscribe:
      return JSON.stringify({
        cmd: 'subscribe', id: p.packetId,
        subs: p.subscriptions.map((s) => [s.topicFilter, s.qos, s.noLocal, s.retainAsPublished, s.retainHandling]),
        props: oursProps(p.properties),
      });
    default:
      throw new Error(`no canonical form for packet type ${p.type}`);
  }
}

export function canonTheirs(p: mqttPacket.Packet): string {
  switch (p.cmd) {
    case 'publish':
      return JSON.stringify({
        cmd: 'publish', topic: p.topic, qos: p.qos, retain: p.retain, dup: p.dup, id: p.qos > 0 ? p.messageId : 0,
        payload: Buffer.from(p.payload).toString('base64'), props: theirsProps(p.properties),
      });
    case 'connect':
      return JSON.stringify({
        cmd: 'connect', version: p.protocolVersion, clean: p.clean, keepAlive: p.keepalive, clientId: p.clientId,
        username: p.username, password: p.password?.toString('base64'), props: theirsProps(p.properties),
      });
    case 'subscribe':
      return JSON.stringify({
        cmd: 'subscribe', id: p.messageId,
        subs: p.subscriptions.map((s) => [s.topic, s.qos, s.nl ?? false, s.rap ?? false, s.rh ?? 0]),
        props: theirsProps(p.properties),
      });
    default:
      throw new Error(`no canonical form for mqtt-packet ${p.cmd}`);
  }
}
