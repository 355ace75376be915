/**
 * The packets the codec benchmark parses and encodes, each in two equivalent shapes: ours
 * (`@nestmq/mqtt-protocol`) and mqtt-packet's (cmd, messageId, userProperties as an object, ...).
 */
import { Packet, PacketType, ProtocolVersion, QoS, encodePacket } from '@nestmq/mqtt-protocol';
import * as mqttPacket from 'mqtt-packet';

export type Kind = 'publish' | 'connect' | 'subscribe';

export interface Workload {
  name: string;
  kind: Kind;
  version: ProtocolVersion;
  ours: Packet;
  theirs: mqttPacket.Packet;
  /** Same packet with another Packet Identifier, in both shapes (for a stream of distinct packets). */
  withId(id: number): { ours: Packet; theirs: mqttPacket.Packet };
  /** What a PUBLISH must parse to. */
  topic?: string;
  payloadLength?: number;
}

const TOPIC = 'sensors/building-7/floor-3/room-42/temperature';

/** Deterministic JSON-ish payload bytes of the given size. */
function payloadOf(size: number): Buffer {
  const text = '{"t":21.5,"h":40.2,"ts":1732540800000,"id":"a1b2c3d4e5f60718","seq":';
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = text.charCodeAt(i % text.length);
  return buf;
}

function publish(version: ProtocolVersion, qos: QoS, size: number, withProperties: boolean): Workload {
  const payload = payloadOf(size);
  const make = (id: number) => {
    const ours: Packet = { type: PacketType.Publish, topic: TOPIC, payload, qos, retain: false, dup: false };
    const theirs: mqttPacket.IPublishPacket = { cmd: 'publish', topic: TOPIC, payload, qos, retain: false, dup: false };
    if (qos > 0) {
      ours.packetId = id;
      theirs.messageId = id;
    }
    if (withProperties) {
      ours.properties = {
        messageExpiryInterval: 3600,
        contentType: 'application/json',
        userProperties: [
          ['trace-id', '4bf92f3577b34da6'],
          ['source', 'gateway-12'],
        ],
      };
      theirs.properties = {
        messageExpiryInterval: 3600,
        contentType: 'application/json',
        userProperties: { 'trace-id': '4bf92f3577b34da6', source: 'gateway-12' },
      };
    }
    return { ours, theirs };
  };
  const { ours, theirs } = make(1);
  const sizeName = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  return {
    name: `PUBLISH v${version === 5 ? '5' : '3.1.1'} QoS ${qos} ${sizeName}${withProperties ? ' +props' : ''}`,
    kind: 'publish',
    version,
    ours,
    theirs,
    withId: make,
    topic: TOPIC,
    payloadLength: size,
  };
}

function connect(): Workload {
  const password = Buffer.from('s3cr3t-passw0rd-0012');
  const ours: Packet = {
    type: PacketType.Connect,
    protocolName: 'MQTT',
    protocolVersion: 5,
    clean: true,
    keepAlive: 60,
    clientId: 'sensor-gateway-0012',
    username: 'gateway-12',
    password,
    properties: {
      sessionExpiryInterval: 3600,
      receiveMaximum: 100,
      maximumPacketSize: 1_048_576,
      topicAliasMaximum: 16,
      userProperties: [['region', 'eu-west-1']],
    },
  };
  const theirs: mqttPacket.IConnectPacket = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clean: true,
    keepalive: 60,
    clientId: 'sensor-gateway-0012',
    username: 'gateway-12',
    password,
    properties: {
      sessionExpiryInterval: 3600,
      receiveMaximum: 100,
      maximumPacketSize: 1_048_576,
      topicAliasMaximum: 16,
      userProperties: { region: 'eu-west-1' },
    },
  };
  return { name: 'CONNECT v5 +props user/pass', kind: 'connect', version: 5, ours, theirs, withId: () => ({ ours, theirs }) };
}

function subscribe(): Workload {
  const make = (id: number) => {
    const ours: Packet = {
      type: PacketType.Subscribe,
      packetId: id,
      subscriptions: [
        { topicFilter: 'sensors/+/floor-3/+/temperature', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: 'alerts/#', qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 1 },
        { topicFilter: '$share/workers/jobs/+/queued', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 2 },
      ],
      properties: { subscriptionIdentifiers: [42], userProperties: [['client', 'dashboard']] },
    };
    const theirs: mqttPacket.ISubscribePacket = {
      cmd: 'subscribe',
      messageId: id,
      subscriptions: [
        { topic: 'sensors/+/floor-3/+/temperature', qos: 1, nl: false, rap: false, rh: 0 },
        { topic: 'alerts/#', qos: 2, nl: true, rap: true, rh: 1 },
        { topic: '$share/workers/jobs/+/queued', qos: 1, nl: false, rap: false, rh: 2 },
      ],
      properties: { subscriptionIdentifier: 42, userProperties: { client: 'dashboard' } },
    };
    return { ours, theirs };
  };
  const { ours, theirs } = make(1);
  return { name: 'SUBSCRIBE v5 3 filters +props', kind: 'subscribe', version: 5, ours, theirs, withId: make };
}

export const WORKLOADS: readonly Workload[] = [
  publish(5, 1, 64, true),
  publish(5, 1, 1024, true),
  publish(4, 0, 64, false),
  publish(4, 0, 1024, false),
  publish(4, 1, 64, false),
  publish(4, 1, 1024, false),
  connect(),
  subscribe(),
];

/** A byte stream of whole packets (distinct Packet Identifiers) of at least `minBytes`, plus its packet count. */
export function buildStream(w: Workload, minBytes: number): { stream: Buffer; packets: number } {
  const parts: Buffer[] = [];
  let bytes = 0;
  let id = 1;
  while (bytes < minBytes) {
    const encoded = encodePacket(w.withId(id).ours, w.version)!;
    parts.push(encoded);
    bytes += encoded.length;
    id = id === 0xffff ? 1 : id + 1;
  }
  return { stream: Buffer.concat(parts, bytes), packets: parts.length };
}

/** Splits a stream into chunks of `size` bytes, as a socket would deliver it (the last may be shorter). */
export function chunksOf(stream: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, Math.min(i + size, stream.length)));
  return chunks;
}
