/**
 * Converters between our packet objects and mqtt-packet's, so that mqtt-packet can serve as an oracle in
 * differential tests (it is a dev dependency only).
 *
 * mqtt-packet's shapes: `cmd` names instead of packet types, `messageId` for the Packet Identifier,
 * `keepalive`, `protocolId`, `returnCode` in a 3.1.1 CONNACK and `reasonCode` in a 5.0 one, `granted` for
 * SUBACK and UNSUBACK codes, subscriptions as `{ topic, qos, nl, rap, rh }`, `unsubscriptions`, and in the
 * properties: `subscriptionIdentifier` (a number, or an array when repeated),
 * `subscriptionIdentifiersAvailable`, and User Properties as an object `{ name: value | value[] }`.
 *
 * That object cannot keep the order of User Properties with different names (and puts integer-like names
 * first), so packets are compared after `groupUserProperties`, which keeps the order among values of one
 * name: the only order the object form preserves.
 */
import * as mqttPacket from 'mqtt-packet';
import { PACKET_TYPE_NAMES, PacketType, ProtocolVersion, QoS } from '../packet-type';
import {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  PublishPacket,
  RetainHandling,
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
  WillMessage,
} from '../packets';
import { Properties } from '../property';

/** An mqtt-packet packet object, loosely typed: its bundled types do not cover every field it reads. */
export interface OraclePacket {
  cmd: string;
  [field: string]: unknown;
}

type OracleProperties = Record<string, unknown>;
type UserPropertyObject = Record<string, string | string[]>;

const cmdOf = (type: PacketType): string => PACKET_TYPE_NAMES[type].toLowerCase();
const typeOf = (cmd: string): PacketType => PACKET_TYPE_NAMES.indexOf(cmd.toUpperCase()) as PacketType;

/** mqtt-packet returns Buffers that may be views into its buffer list; ours are Buffers of their own. */
const ownBuffer = (value: unknown): Buffer => Buffer.from(value as Uint8Array);

// Properties ---------------------------------------------------------------------------------------------

export function toOracleProperties(props: Properties): OracleProperties {
  const out: OracleProperties = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    switch (key) {
      case 'subscriptionIdentifiers': {
        const ids = value as number[];
        out.subscriptionIdentifier = ids.length === 1 ? ids[0] : ids;
        break;
      }
      case 'subscriptionIdentifierAvailable':
        out.subscriptionIdentifiersAvailable = value;
        break;
      case 'userProperties': {
        // No prototype, so that a name such as "__proto__" or "constructor" is an ordinary key.
        const object: UserPropertyObject = Object.create(null);
        for (const [name, v] of value as Array<[string, string]>) {
          const existing = object[name];
          if (existing === undefined) object[name] = v;
          else if (Array.isArray(existing)) existing.push(v);
          else object[name] = [existing, v];
        }
        out.userProperties = object;
        break;
      }
      default:
        out[key] = value;
    }
  }
  return out;
}

export function fromOracleProperties(props: unknown): Properties | undefined {
  if (props === undefined || props === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props as OracleProperties)) {
    if (value === undefined) continue;
    switch (key) {
      case 'subscriptionIdentifier':
        out.subscriptionIdentifiers = Array.isArray(value) ? [...value] : [value];
        break;
      case 'subscriptionIdentifiersAvailable':
        out.subscriptionIdentifierAvailable = value;
        break;
      case 'userProperties': {
        const pairs: Array<[string, string]> = [];
        for (const [name, v] of Object.entries(value as UserPropertyObject)) {
          for (const one of Array.isArray(v) ? v : [v]) pairs.push([name, one]);
        }
        out.userProperties = pairs;
        break;
      }
      case 'correlationData':
      case 'authenticationData':
        out[key] = ownBuffer(value);
        break;
      default:
        out[key] = value;
    }
  }
  return Object.keys(out).length === 0 ? undefined : (out as Properties);
}

// Packets ------------------------------------------------------------------------------------------------

function withOracleProperties(target: OraclePacket | Record<string, unknown>, props: Properties | undefined): void {
  if (props !== undefined) target.properties = toOracleProperties(props);
}

/** Our packet as mqtt-packet's `generate(packet, { protocolVersion: version })` expects it. */
export function toOracle(packet: Packet, version: ProtocolVersion): OraclePacket {
  const out: OraclePacket = { cmd: cmdOf(packet.type) };
  switch (packet.type) {
    case PacketType.Connect: {
      Object.assign(out, {
        protocolId: packet.protocolName,
        protocolVersion: packet.protocolVersion,
        clean: packet.clean,
        keepalive: packet.keepAlive,
        clientId: packet.clientId,
      });
      if (packet.username !== undefined) out.username = packet.username;
      if (packet.password !== undefined) out.password = packet.password;
      if (packet.will !== undefined) {
        const { topic, payload, qos, retain, properties } = packet.will;
        const will: Record<string, unknown> = { topic, payload, qos, retain };
        withOracleProperties(will, properties);
        out.will = will;
      }
      break;
    }
    case PacketType.Connack:
      out.sessionPresent = packet.sessionPresent;
      out[version === 5 ? 'reasonCode' : 'returnCode'] = packet.reasonCode;
      break;
    case PacketType.Publish:
      Object.assign(out, { topic: packet.topic, payload: packet.payload, qos: packet.qos, dup: packet.dup, retain: packet.retain });
      if (packet.packetId !== undefined) out.messageId = packet.packetId;
      break;
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      Object.assign(out, { messageId: packet.packetId, reasonCode: packet.reasonCode });
      break;
    case PacketType.Subscribe:
      out.messageId = packet.packetId;
      out.subscriptions = packet.subscriptions.map((s) => ({
        topic: s.topicFilter,
        qos: s.qos,
        nl: s.noLocal,
        rap: s.retainAsPublished,
        rh: s.retainHandling,
      }));
      break;
    case PacketType.Suback:
    case PacketType.Unsuback:
      Object.assign(out, { messageId: packet.packetId, granted: [...packet.reasonCodes] });
      break;
    case PacketType.Unsubscribe:
      Object.assign(out, { messageId: packet.packetId, unsubscriptions: [...packet.topicFilters] });
      break;
    case PacketType.Pingreq:
    case PacketType.Pingresp:
      break;
    case PacketType.Disconnect:
    case PacketType.Auth:
      out.reasonCode = packet.reasonCode;
      break;
  }
  if ('properties' in packet) withOracleProperties(out, packet.properties);
  return out;
}

/** A packet mqtt-packet's parser emitted, in our normal form (no empty properties, reason code 0 in 3.1.1). */
export function fromOracle(o: OraclePacket, version: ProtocolVersion): Packet {
  const type = typeOf(o.cmd);
  const properties = fromOracleProperties(o.properties);
  const withProps = <P extends { properties?: Properties }>(p: P): P => {
    if (properties !== undefined) p.properties = properties;
    return p;
  };
  switch (type) {
    case PacketType.Connect: {
      const packet: ConnectPacket = {
        type,
        protocolName: o.protocolId as string,
        protocolVersion: o.protocolVersion as ProtocolVersion,
        clean: o.clean as boolean,
        keepAlive: o.keepalive as number,
        clientId: o.clientId as string,
      };
      if (o.will !== undefined) {
        const w = o.will as Record<string, unknown>;
        const will: WillMessage = { topic: w.topic as string, payload: ownBuffer(w.payload), qos: w.qos as QoS, retain: w.retain as boolean };
        const willProperties = fromOracleProperties(w.properties);
        if (willProperties !== undefined) will.properties = willProperties;
        packet.will = will;
      }
      if (o.username !== undefined) packet.username = o.username as string;
      if (o.password !== undefined) packet.password = ownBuffer(o.password);
      return withProps(packet);
    }
    case PacketType.Connack:
      return withProps<ConnackPacket>({
        type,
        sessionPresent: o.sessionPresent as boolean,
        reasonCode: (version === 5 ? o.reasonCode : o.returnCode) as number,
      });
    case PacketType.Publish: {
      const qos = o.qos as QoS;
      const packet: PublishPacket = {
        type,
        topic: o.topic as string,
        payload: ownBuffer(o.payload),
        qos,
        retain: o.retain as boolean,
        dup: o.dup as boolean,
      };
      if (qos > 0) packet.packetId = o.messageId as number;
      return withProps(packet);
    }
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      // A 3.1.1 ack has no reason code; mqtt-packet leaves the field out.
      return withProps({ type, packetId: o.messageId as number, reasonCode: (o.reasonCode as number | undefined) ?? 0 } as AckPacket);
    case PacketType.Subscribe:
      return withProps<SubscribePacket>({
        type,
        packetId: o.messageId as number,
        // mqtt-packet gives 3.1.1 subscriptions without nl, rap and rh.
        subscriptions: (o.subscriptions as Array<Record<string, unknown>>).map((s) => ({
          topicFilter: s.topic as string,
          qos: s.qos as QoS,
          noLocal: Boolean(s.nl),
          retainAsPublished: Boolean(s.rap),
          retainHandling: ((s.rh as number | undefined) ?? 0) as RetainHandling,
        })),
      });
    case PacketType.Suback:
      return withProps<SubackPacket>({ type, packetId: o.messageId as number, reasonCodes: [...(o.granted as number[])] });
    case PacketType.Unsubscribe:
      return withProps<UnsubscribePacket>({ type, packetId: o.messageId as number, topicFilters: [...(o.unsubscriptions as string[])] });
    case PacketType.Unsuback:
      // A 3.1.1 UNSUBACK has no payload; mqtt-packet then has no `granted`.
      return withProps<UnsubackPacket>({ type, packetId: o.messageId as number, reasonCodes: [...((o.granted as number[] | undefined) ?? [])] });
    case PacketType.Pingreq:
    case PacketType.Pingresp:
      return { type };
    case PacketType.Disconnect:
    case PacketType.Auth:
      return withProps({ type, reasonCode: (o.reasonCode as number | undefined) ?? 0 } as DisconnectPacket | AuthPacket);
    default:
      throw new TypeError(`mqtt-packet produced an unknown cmd "${o.cmd}"`);
  }
}

/**
 * The packet with its User Properties (and its will's) sorted by name, values of one name kept in order:
 * what survives mqtt-packet's object form.
 */
export function groupUserProperties(packet: Packet): Packet {
  const group = (props: Properties | undefined): Properties | undefined => {
    if (props?.userProperties === undefined) return props;
    const pairs = [...props.userProperties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { ...props, userProperties: pairs };
  };
  const copy = { ...packet } as Packet & { properties?: Properties };
  if (copy.properties !== undefined) copy.properties = group(copy.properties);
  if (copy.type === PacketType.Connect && copy.will?.properties !== undefined) {
    copy.will = { ...copy.will, properties: group(copy.will.properties) };
  }
  return copy;
}

/** Encodes with mqtt-packet; its generator reports a packet it will not write by throwing. */
export function oracleGenerate(packet: OraclePacket, version: ProtocolVersion): Buffer {
  return mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: version });
}

/** Parses with a fresh mqtt-packet parser at `version` and returns what it emitted. */
export function oracleParse(bytes: Buffer, version: ProtocolVersion): { packets: OraclePacket[]; errors: Error[] } {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: OraclePacket[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p) => packets.push(p as unknown as OraclePacket));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(bytes);
  return { packets, errors };
}
