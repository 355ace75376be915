import {
  AckPacket,
  ConnectPacket,
  MAX_VARINT,
  Packet,
  PacketType,
  Properties,
  ProtocolVersion,
  PublishPacket,
  QoS,
  RetainHandling,
  Subscription,
  WillMessage,
  encodePacket,
  isReasonCodeAllowed,
  isValidTopicName,
  varintSize,
  writeVarint,
} from '@nestmq/mqtt-protocol';
import { Random } from './random';

/**
 * What a frame is. `valid`: a well-formed packet that a parser at the connection's level accepts, though the
 * broker may still refuse it where it stands (a second CONNECT, a PUBREL for an unknown id, a server-only
 * packet). `invalid`: well-formed on the whole but breaking a rule the parser must enforce (the label says
 * which, after a `!`). The rest break the framing itself.
 */
export type FrameKind = 'valid' | 'invalid' | 'mutated' | 'flood' | 'oversized' | 'garbage';

export interface Frame {
  kind: FrameKind;
  /** Short and human-readable: printed for the connections that were open when the broker failed. */
  label: string;
  bytes: Buffer;
}

export interface ConnectFrame extends Frame {
  /** Standard name and level and nothing the parser rejects: the broker's replies can be parsed at this level. */
  checkable: boolean;
  /** The Maximum Packet Size the CONNECT announced: the broker must never send anything larger. */
  maxPacketSize: number;
}

export interface FuzzLimits {
  /** The broker's MAX_PACKET_SIZE: "oversized" frames are built just above it. */
  maxPacketSize: number;
  /** Upper bound on the bytes of one property (or subscription, or packet) flood. */
  maxFloodBytes: number;
}

const EMPTY = Buffer.alloc(0);
const TRICKY = ['\uFEFF', '\uFEFFx', 'é', '\u{1F600}', '\u{10FFFF}', '\uFFFF', '\u0001', '\u007F', '\u0080', ' ', 'a b', '$', '/', '//'];
const MULTIBYTE: ReadonlyArray<readonly [string, number]> = [['é', 32767], ['\u{1F600}', 16383], ['\uFEFF', 21845]];
/** Levels of the deep topics: around MAX_TOPIC_LEVELS, and far beyond, up to what 65,535 bytes allow. */
const DEPTHS = [127, 128, 129, 1000, 10_000, 20_000, 32_767];
const ACK_TYPES = [PacketType.Puback, PacketType.Pubrec, PacketType.Pubrel, PacketType.Pubcomp] as const;

/** Pre-encoded filters for the subscription floods: `fuzz/0` .. `fuzz/999`, with QoS 0, 1, 2 for SUBSCRIBE. */
const FLOOD_FILTERS: readonly Buffer[] = Array.from({ length: 1000 }, (_, i) => {
  const filter = Buffer.from(`fuzz/${i}`);
  return Buffer.concat([Buffer.from([0, filter.length]), filter]);
});
const FLOOD_SUBSCRIPTIONS: readonly Buffer[] = FLOOD_FILTERS.map((entry, i) => Buffer.concat([entry, Buffer.from([i % 3])]));

const REASON_CODES: ReadonlyMap<PacketType, number[]> = new Map(
  [PacketType.Connack, ...ACK_TYPES, PacketType.Suback, PacketType.Unsuback, PacketType.Disconnect, PacketType.Auth].map((type) => {
    const codes: number[] = [];
    for (let code = 0; code <= 0xff; code++) if (isReasonCodeAllowed(type, code)) codes.push(code);
    return [type, codes] as const;
  }),
);

/** A string for a label: short ones verbatim, long ones by their start, size and depth. */
export function show(s: string): string {
  if (s.length <= 24) return JSON.stringify(s);
  let levels = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 0x2f) levels++;
  return `${JSON.stringify(s.slice(0, 10))}…(${Buffer.byteLength(s)}B${levels > 1 ? ` ${levels} levels` : ''})`;
}

function readVarint(buf: Buffer, pos: number): [value: number, size: number] {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4 && pos + i < buf.length; i++) {
    const b = buf[pos + i];
    value += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) return [value, i + 1];
    multiplier *= 128;
  }
  throw new RangeError('not a Variable Byte Integer');
}

function varint(value: number): Buffer {
  const buf = Buffer.allocUnsafe(varintSize(value));
  writeVarint(buf, 0, value);
  return buf;
}

/** `unit` repeated `count` times. */
function repeated(unit: Buffer, count: number): Buffer {
  return Buffer.alloc(unit.length * count).fill(unit);
}

/**
 * Appends `extra` to the properties whose Property Length sits `offset` bytes into an encoded packet's body,
 * fixing the Property Length and Remaining Length: for floods that the encoder would build too slowly, and
 * for repeated properties it refuses to build at all.
 */
export function spliceProperties(packet: Buffer, offset: number, extra: Buffer): Buffer {
  const [remaining, rlSize] = readVarint(packet, 1);
  const bodyStart = 1 + rlSize;
  const at = bodyStart + offset;
  const [propLength, plSize] = readVarint(packet, at);
  const newPropLength = varint(propLength + extra.length);
  const newRemaining = remaining - plSize + newPropLength.length + extra.length;
  if (newRemaining > MAX_VARINT) throw new RangeError(`flood of ${extra.length} bytes does not fit a packet`);
  const propsEnd = at + plSize + propLength;
  return Buffer.concat([
    packet.subarray(0, 1),
    varint(newRemaining),
    packet.subarray(bodyStart, at),
    newPropLength,
    packet.subarray(at + plSize, propsEnd),
    extra,
    packet.subarray(propsEnd),
  ]);
}

/**
 * Structure-aware random MQTT frames for one connection at one protocol level: valid packets of every
 * type with extreme field values, floods, mutations of valid packets, oversized frames, garbage, and
 * packets that do not belong where they are sent. Everything comes from the Random it is given.
 */
export class PacketFuzzer {
  /** Why the packet being built breaks a parser rule; empty for a valid one. */
  private notes: string[] = [];
  private nextId = 1;
  private lastId = 1;
  /** Topic Aliases this connection has set, so later PUBLISHes can use them with an empty topic. */
  private readonly aliases: number[] = [];

  constructor(
    private readonly r: Random,
    readonly version: ProtocolVersion,
    private readonly limits: FuzzLimits,
  ) {}

  private get v5(): boolean {
    return this.version === 5;
  }

  /** The opening CONNECT: mostly valid with extreme values, sometimes broken, sometimes flooded. */
  connect(): ConnectFrame {
    return this.connectFrame(false);
  }

  /** Anything that may follow the CONNECT. */
  next(): Frame {
    return this.r.weighted<() => Frame>([
      [50, () => this.validPacket()],
      [20, () => this.mutated()],
      [7, () => this.flood()],
      [2, () => this.oversized()],
      [4, () => this.garbage()],
      [6, () => this.outOfOrder()],
    ])();
  }

  // ---- strings, topics, payloads --------------------------------------------------------------------------

  private note(why: string): void {
    this.notes.push(why);
  }

  private word(min = 1, max = 12): string {
    const n = this.r.between(min, max);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x61 + this.r.int(26));
    return s;
  }

  /** A UTF-8 Encoded String at the edges: empty, tiny, the 65,535-byte maximum, long multi-byte runs. */
  private edgeString(maxBytes = 0xffff): string {
    const r = this.r;
    const s = r.weighted<() => string>([
      [3, () => ''],
      [6, () => this.word()],
      [2, () => r.pick(TRICKY)],
      [2, () => 'x'.repeat(r.pick([127, 128, 255, 256, 16383, 16384, 65534, 65535]))],
      [1, () => {
        const [ch, max] = r.pick(MULTIBYTE);
        return ch.repeat(r.chance(0.5) ? max : r.between(1, max));
      }],
    ])();
    return Buffer.byteLength(s) <= maxBytes ? s : this.word();
  }

  private deepTopic(): string {
    const r = this.r;
    const depth = r.pick(DEPTHS);
    return r.weighted<() => string>([
      [2, () => '/'.repeat(depth - 1)],
      [2, () => 'a/'.repeat(depth - 1) + 'a'],
      [1, () => '/'.repeat(r.pick([65534, 65535]))],
      [1, () => {
        const level = this.word(1, 3);
        return `${level}/`.repeat(Math.min(depth, Math.floor(0xffff / (level.length + 1)))).slice(0, -1);
      }],
    ])();
  }

  private topicName(): string {
    const r = this.r;
    return r.weighted<() => string>([
      [10, () => `fuzz/${this.word(1, 4)}`],
      [3, () => Array.from({ length: r.between(1, 8) }, () => this.word(0, 4)).join('/')],
      [4, () => this.deepTopic()],
      [1, () => 'x'.repeat(0xffff)],
      [1, () => r.pick(['$SYS/fuzz', '$SYS/broker/fuzz', '$share/g/fuzz', '$', '/', 'fuzz/\uFEFF/é'])],
      [1, () => r.pick(['fuzz/+', 'fuzz/#', '#', '+', 'a\u0000b'])],
      [1, () => this.edgeString()],
    ])();
  }

  /** A topic name; a note when it is not one. */
  private checkedTopicName(): string {
    const topic = this.topicName();
    if (!isValidTopicName(topic)) this.note('topic');
    return topic;
  }

  private topicFilter(): string {
    const r = this.r;
    const filter = r.weighted<() => string>([
      [3, () => '#'],
      [2, () => '+'],
      [3, () => `fuzz/${this.word(1, 3)}/#`],
      [3, () => this.topicName()],
      [2, () => '+/'.repeat(r.pick(DEPTHS) - 1) + r.pick(['+', '#'])],
      [2, () => 'a/'.repeat(r.pick(DEPTHS) - 1) + '#'],
      [2, () => `$share/${this.word(1, 4)}/${r.pick(['#', 'fuzz/#', '+/+', `fuzz/${this.word(1, 3)}`])}`],
      [1, () => `$share/g/${this.deepTopic()}`.slice(0, 0xffff)],
      [1, () => `$share/${'g'.repeat(r.pick([1, 65000]))}/#`],
      [1, () => r.pick(['$SYS/#', '$SYS/broker/+', '$share/g/$SYS/#'])],
      [1, () => r.pick(['a#', '#/a', 'a+', 'a/+b', '', '$share//#', '$share/g', '$share/+/x', '$share/g/', '$share/#/x', 'a\u0000'])],
      [1, () => this.edgeString()],
    ])();
    // Only U+0000 is the parser's business; any other bad filter the broker refuses in SUBACK (0x8F).
    if (filter.includes('\u0000')) this.note('U+0000');
    return filter;
  }

  /** Filters for SUBSCRIBE packets of thousands: from a bounded set, so sessions do not grow without end. */
  private smallFilter(): string {
    const r = this.r;
    return r.weighted<() => string>([
      [6, () => `fuzz/${r.int(1000)}`],
      [1, () => `+/${r.int(100)}/#`],
      [1, () => r.pick(['#', '+', 'fuzz/#', '+/+'])],
    ])();
  }

  private binary(): Buffer {
    const r = this.r;
    return r.weighted<() => Buffer>([
      [2, () => EMPTY],
      [4, () => r.bytes(r.between(1, 32))],
      [1, () => Buffer.alloc(0xffff, r.int(256))],
    ])();
  }

  private payload(): Buffer {
    const r = this.r;
    return r.weighted<() => Buffer>([
      [4, () => EMPTY],
      [10, () => r.bytes(r.between(1, 64))],
      [3, () => Buffer.from(this.edgeString().slice(0, 4096))],
      // Ill-formed UTF-8, for the PUBLISHes that promise UTF-8 with a Payload Format Indicator of 1.
      [1, () => Buffer.from(r.pick([[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]]))],
      // Remaining Lengths near where the Variable Byte Integer grows a byte.
      [1, () => Buffer.alloc(r.pick([110, 117, 118, 119, 120, 16363, 16364, 16365, 16366, 65535, 65536]), r.int(256))],
      [0.3, () => Buffer.alloc(r.between(100_000, Math.min(1_000_000, this.limits.maxPacketSize >> 1)), r.int(256))],
    ])();
  }

  /** User Properties within a byte budget, so a few large strings cannot make a packet of megabytes. */
  private userProperties(): Array<[string, string]> {
    const r = this.r;
    const count = r.weighted<number>([
      [6, r.between(1, 4)],
      [2, r.between(5, 100)],
      [1, r.between(100, 2000)],
    ]);
    let budget = r.pick([256, 4096, 70_000, 300_000]);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < count && budget > 0; i++) {
      const name = count > 100 ? r.pick(['', 'a', this.word(1, 3)]) : this.edgeString(budget);
      const value = count > 100 ? r.pick(['', 'b']) : this.edgeString(Math.max(0, budget - Buffer.byteLength(name)));
      budget -= 5 + Buffer.byteLength(name) + Buffer.byteLength(value);
      pairs.push([name, value]);
    }
    return pairs;
  }

  private packetId(): number {
    const r = this.r;
    const id = r.weighted<() => number>([
      [5, () => {
        const id = this.nextId;
        this.nextId = id === 0xffff ? 1 : id + 1;
        return id;
      }],
      [2, () => 1],
      [2, () => 0xffff],
      [2, () => r.between(1, 0xffff)],
      [3, () => this.lastId],
    ])();
    this.lastId = id;
    return id;
  }

  private reasonCode(type: PacketType): number {
    const r = this.r;
    const code = r.weighted<() => number>([
      [6, () => 0],
      [3, () => r.pick(REASON_CODES.get(type) ?? [0])],
      [1, () => r.int(256)],
    ])();
    if (!isReasonCodeAllowed(type, code)) this.note('reason code');
    return code;
  }

  // ---- valid packets --------------------------------------------------------------------------------------

  private frame(label: string, bytes: Buffer): Frame {
    const notes = this.notes;
    this.notes = [];
    return notes.length === 0 ? { kind: 'valid', label, bytes } : { kind: 'invalid', label: `${label} !${[...new Set(notes)].join(',')}`, bytes };
  }

  private encode(packet: Packet): Buffer {
    return encodePacket(packet, this.version)!;
  }

  private validPacket(): Frame {
    return this.r.weighted<() => Frame>([
      [30, () => this.publish()],
      [14, () => this.subscribe()],
      [6, () => this.unsubscribe()],
      [10, () => this.ack()],
      [4, () => this.frame('PINGREQ', this.encode({ type: PacketType.Pingreq }))],
      [2, () => this.disconnect()],
      [this.v5 ? 2 : 0, () => this.auth()],
    ])();
  }

  private connectFrame(second: boolean): ConnectFrame {
    const r = this.r;
    const v = this.version;
    const standardName = v === 3 ? 'MQIsdp' : 'MQTT';
    let protocolName = standardName;
    let level: number = v;
    if (r.chance(second ? 0.3 : 0.04)) protocolName = r.pick(['', 'MQTT', 'MQIsdp', 'mqtt', 'MQTT\u0000', 'x'.repeat(r.pick([1024, 65530, 65535]))]);
    if (r.chance(0.03)) level = r.pick([0, 1, 2, 3, 4, 5, 6, 255]);
    if (!(level >= 3 && level <= 5) || protocolName !== (level === 3 ? 'MQIsdp' : 'MQTT')) this.note('protocol name or level');
    // A well-formed CONNECT at another level than the packets that follow: the replies cannot be checked.
    const otherLevel = level !== v;
    const packet: ConnectPacket = {
      type: PacketType.Connect,
      protocolName,
      protocolVersion: level as ProtocolVersion,
      clean: r.chance(0.6),
      keepAlive: r.weighted<number>([[3, 0], [1, 1], [1, 2], [5, 60], [2, 0xffff], [1, r.int(0x10000)]]),
      clientId: this.clientId(),
    };
    if (packet.clientId.includes('\u0000')) this.note('client id');
    if (r.chance(0.25)) packet.will = this.will(level === 5);
    if (r.chance(0.2)) packet.username = this.edgeString();
    if (r.chance(0.15)) {
      packet.password = this.binary();
      if (level !== 5 && packet.username === undefined) this.note('password without user name');
    }
    if (level === 5 && r.chance(0.85)) packet.properties = this.connectProperties();
    const label =
      `${second ? 'second ' : ''}CONNECT ${protocolName === standardName ? '' : `name=${show(protocolName)} `}level=${level} ` +
      `id=${show(packet.clientId)}${packet.clean ? ' clean' : ''} ka=${packet.keepAlive}` +
      `${packet.will ? ` will(q${packet.will.qos} ${show(packet.will.topic)} ${packet.will.payload.length}B${describe(packet.will.properties)})` : ''}` +
      `${packet.username !== undefined ? ` user=${show(packet.username)}` : ''}${packet.password ? ` pw=${packet.password.length}B` : ''}` +
      describe(packet.properties);
    let bytes = this.encode(packet);
    let flood = '';
    if (level === 5 && r.chance(0.04)) {
      // Will properties lie after the CONNECT properties and the Client Identifier: splice them first, so
      // the earlier offset still holds.
      const nameBytes = Buffer.byteLength(protocolName);
      const propsAt = 2 + nameBytes + 4;
      if (packet.will && r.chance(0.5)) {
        const [, rl] = readVarint(bytes, 1);
        const [propLength, plSize] = readVarint(bytes, 1 + rl + propsAt);
        const willAt = propsAt + plSize + propLength + 2 + Buffer.byteLength(packet.clientId);
        const [extra, what] = this.floodUnit(true);
        bytes = spliceProperties(bytes, willAt, extra);
        flood = ` +will ${what}`;
      } else {
        const [extra, what] = this.floodUnit(true);
        bytes = spliceProperties(bytes, propsAt, extra);
        flood = ` +${what}`;
      }
    }
    const checkable = this.notes.length === 0 && !otherLevel && flood === '';
    const frame = this.frame(label + flood, bytes);
    const announced = packet.properties?.maximumPacketSize;
    return {
      ...frame,
      kind: flood ? 'flood' : frame.kind,
      checkable,
      maxPacketSize: announced !== undefined && announced > 0 ? announced : Infinity,
    };
  }

  private clientId(): string {
    const r = this.r;
    return r.weighted<() => string>([
      [40, () => `fuzz-${r.int(48)}`],
      [10, () => ''],
      // Near the 65,535-byte limit, where anything the broker adds to the identifier no longer fits a string.
      [15, () => r.pick(['c', 'd']).repeat(r.pick([65535, 65534, 65533, 65530, 65525, 65500, 65400, 65000]))],
      [4, () => 'é'.repeat(r.pick([32767, 32760, 32700]))],
      [5, () => r.pick(TRICKY) + r.int(8)],
      [3, () => this.word(23, 24)],
      [2, () => r.pick(['#', '+', 'a/b', '$SYS', 'fuzz\u0000x'])],
    ])();
  }

  private will(v5: boolean): WillMessage {
    const r = this.r;
    const huge = r.chance(0.2);
    const will: WillMessage = {
      topic: this.checkedTopicName(),
      payload: huge ? Buffer.alloc(0xffff, 0x77) : this.binary(),
      qos: r.int(3) as QoS,
      retain: r.chance(0.3),
    };
    if (r.chance(0.02)) {
      will.qos = 3 as QoS;
      this.note('will QoS 3');
    }
    if (v5 && r.chance(0.7)) {
      const p: Properties = {};
      if (huge || r.chance(0.3)) p.willDelayInterval = r.pick([0, 1, 2, 0xffffffff]);
      if (huge || r.chance(0.2)) p.payloadFormatIndicator = r.chance(0.7);
      if (huge || r.chance(0.2)) p.messageExpiryInterval = r.pick([0, 1, 0xffffffff]);
      if (huge || r.chance(0.2)) p.contentType = huge ? 'c'.repeat(0xffff) : this.edgeString();
      if (huge || r.chance(0.2)) {
        p.responseTopic = huge ? 'r/'.repeat(32767) + 'r' : this.topicName();
        if (p.responseTopic.includes('\u0000')) this.note('response topic');
      }
      if (huge || r.chance(0.2)) p.correlationData = huge ? Buffer.alloc(0xffff, 0x63) : this.binary();
      if (huge || r.chance(0.2)) p.userProperties = this.userProperties();
      if (Object.keys(p).length > 0) will.properties = p;
    }
    return will;
  }

  private connectProperties(): Properties | undefined {
    const r = this.r;
    const p: Properties = {};
    if (r.chance(0.5)) p.sessionExpiryInterval = r.pick([0, 1, 5, 60, 0xffffffff]);
    if (r.chance(0.3)) p.receiveMaximum = r.pick([1, 2, 10, 0xffff]);
    if (r.chance(0.02)) {
      p.receiveMaximum = 0;
      this.note('Receive Maximum 0');
    }
    if (r.chance(0.3)) p.maximumPacketSize = r.pick([1, 2, 3, 16, 64, 128, 1024, 0xffff, 0xffffffff]);
    if (r.chance(0.02)) {
      p.maximumPacketSize = 0;
      this.note('Maximum Packet Size 0');
    }
    if (r.chance(0.3)) p.topicAliasMaximum = r.pick([0, 1, 10, 0xffff]);
    if (r.chance(0.4)) p.requestResponseInformation = r.chance(0.8);
    if (r.chance(0.4)) p.requestProblemInformation = r.chance(0.5);
    if (r.chance(0.15)) p.userProperties = this.userProperties();
    if (r.chance(0.05)) {
      // SCRAM-SHA-256 is offered: the exchange starts, from a plausible client-first-message or from noise.
      p.authenticationMethod = r.pick(['SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-256', 'x'.repeat(0xffff), '']);
      if (r.chance(0.5)) p.authenticationData = r.chance(0.5) ? Buffer.from(`n,,n=${r.pick(['fuzz', 'admin', '=2C'])},r=${r.int(1 << 30)}`) : this.binary();
    }
    if (r.chance(0.01)) {
      p.authenticationData = this.binary();
      if (p.authenticationMethod === undefined) this.note('Authentication Data alone');
    }
    return Object.keys(p).length > 0 ? p : undefined;
  }

  private publishPacket(): PublishPacket {
    const r = this.r;
    const qos = r.weighted<QoS>([[5, 0], [3, 1], [2, 2]]);
    const packet: PublishPacket = {
      type: PacketType.Publish,
      topic: this.topicName(),
      payload: this.payload(),
      qos,
      retain: r.chance(0.15),
      dup: qos > 0 && r.chance(0.1),
    };
    if (qos > 0) packet.packetId = this.packetId();
    const props = this.v5 ? this.publishProperties() : undefined;
    if (props !== undefined) {
      packet.properties = props;
      const alias = props.topicAlias;
      if (alias !== undefined && alias > 0) {
        if (this.aliases.includes(alias) && r.chance(0.6)) packet.topic = '';
        else if (r.chance(0.1)) packet.topic = '';
        else this.aliases.push(alias);
      }
    } else if (r.chance(0.02)) {
      packet.topic = '';
    }
    if (packet.topic === '' && !(props?.topicAlias && props.topicAlias > 0)) this.note('empty topic');
    else if (packet.topic !== '' && !isValidTopicName(packet.topic)) this.note('topic');
    return packet;
  }

  private publishProperties(): Properties | undefined {
    const r = this.r;
    const p: Properties = {};
    if (r.chance(0.15)) p.payloadFormatIndicator = r.chance(0.7);
    if (r.chance(0.15)) p.messageExpiryInterval = r.pick([0, 1, 2, 60, 0xffffffff]);
    if (r.chance(0.1)) p.contentType = this.edgeString();
    if (r.chance(0.1)) {
      p.responseTopic = this.topicName();
      if (/[+#\u0000]/.test(p.responseTopic)) this.note('response topic');
    }
    if (r.chance(0.1)) p.correlationData = this.binary();
    if (r.chance(0.2)) {
      p.topicAlias = r.weighted<number>([[4, r.between(1, 10)], [1, 1024], [1, 1025], [1, 0xffff], [0.3, 0]]);
      if (p.topicAlias === 0) this.note('Topic Alias 0');
    }
    // A client may not send one [MQTT-3.3.4-6]; the parser leaves that to the broker.
    if (r.chance(0.03)) p.subscriptionIdentifiers = [r.pick([1, r.between(1, MAX_VARINT), MAX_VARINT])];
    if (r.chance(0.15)) p.userProperties = this.userProperties();
    return Object.keys(p).length > 0 ? p : undefined;
  }

  private publish(): Frame {
    const packet = this.publishPacket();
    const bytes = this.encode(packet);
    const r = this.r;
    let flags = '';
    if (r.chance(0.01)) {
      bytes[0] |= 0x06;
      this.note('QoS 3');
      flags = ' q=3';
    } else if (packet.qos === 0 && r.chance(0.01)) {
      bytes[0] |= 0x08;
      this.note('DUP on QoS 0');
      flags = ' dup';
    }
    return this.frame(`${publishLabel(packet)}${flags}`, bytes);
  }

  private subscribe(): Frame {
    const r = this.r;
    const count = r.weighted<number>([[10, 1], [5, r.between(2, 10)], [2, r.between(11, 500)], [1, r.between(1000, 5000)]]);
    const budget = Math.min(this.limits.maxPacketSize - 1024, 1_500_000);
    const subscriptions: Subscription[] = [];
    let used = 0;
    for (let i = 0; i < count; i++) {
      const topicFilter = count > 100 ? this.smallFilter() : this.topicFilter();
      used += Buffer.byteLength(topicFilter) + 3;
      if (used > budget && subscriptions.length > 0) break;
      const sub: Subscription = { topicFilter, qos: r.int(3) as QoS, noLocal: false, retainAsPublished: false, retainHandling: 0 };
      if (this.v5) {
        sub.noLocal = r.chance(0.2);
        sub.retainAsPublished = r.chance(0.2);
        sub.retainHandling = r.int(3) as RetainHandling;
        if (sub.noLocal && topicFilter.startsWith('$share/')) this.note('No Local on a shared subscription');
      }
      subscriptions.push(sub);
    }
    const packet: Packet = { type: PacketType.Subscribe, packetId: this.packetId(), subscriptions };
    if (this.v5) {
      const p: Properties = {};
      if (r.chance(0.3)) p.subscriptionIdentifiers = [r.weighted<number>([[3, r.between(1, 100)], [1, MAX_VARINT], [1, r.between(1, MAX_VARINT)]])];
      if (r.chance(0.1)) p.userProperties = this.userProperties();
      if (Object.keys(p).length > 0) packet.properties = p;
    }
    const first = subscriptions[0];
    const label =
      `SUBSCRIBE id=${packet.packetId} ${subscriptions.length}× first=${show(first.topicFilter)} q${first.qos}` +
      `${first.noLocal ? ' nl' : ''}${first.retainAsPublished ? ' rap' : ''}${first.retainHandling ? ` rh${first.retainHandling}` : ''}` +
      describe(packet.properties);
    return this.frame(label, this.encode(packet));
  }

  private unsubscribe(): Frame {
    const r = this.r;
    const count = r.weighted<number>([[10, 1], [4, r.between(2, 10)], [1, r.between(100, 3000)]]);
    const topicFilters: string[] = [];
    let used = 0;
    for (let i = 0; i < count; i++) {
      const filter = count > 100 ? this.smallFilter() : this.topicFilter();
      used += Buffer.byteLength(filter) + 2;
      if (used > 1_500_000 && topicFilters.length > 0) break;
      topicFilters.push(filter);
    }
    const packet: Packet = { type: PacketType.Unsubscribe, packetId: this.packetId(), topicFilters };
    if (this.v5 && r.chance(0.1)) packet.properties = { userProperties: this.userProperties() };
    return this.frame(`UNSUBSCRIBE id=${packet.packetId} ${topicFilters.length}× first=${show(topicFilters[0])}${describe(packet.properties)}`, this.encode(packet));
  }

  private ack(type: AckPacket['type'] = this.r.pick(ACK_TYPES)): Frame {
    const r = this.r;
    const packet = { type, packetId: this.packetId(), reasonCode: this.v5 ? this.reasonCode(type) : 0 } as AckPacket;
    if (this.v5 && r.chance(0.2)) {
      const p: Properties = {};
      if (r.chance(0.6)) p.reasonString = this.edgeString();
      if (r.chance(0.5)) p.userProperties = this.userProperties();
      if (Object.keys(p).length > 0) packet.properties = p;
    }
    return this.frame(`${TYPE_NAMES[type]} id=${packet.packetId} rc=0x${packet.reasonCode.toString(16)}${describe(packet.properties)}`, this.encode(packet));
  }

  private disconnect(): Frame {
    const r = this.r;
    if (!this.v5) return this.frame('DISCONNECT', this.encode({ type: PacketType.Disconnect, reasonCode: 0 }));
    const reasonCode = r.chance(0.3) ? 4 : this.reasonCode(PacketType.Disconnect);
    const packet: Packet = { type: PacketType.Disconnect, reasonCode };
    if (r.chance(0.3)) {
      const p: Properties = {};
      if (r.chance(0.5)) p.sessionExpiryInterval = r.pick([0, 1, 0xffffffff]);
      if (r.chance(0.3)) p.reasonString = this.edgeString();
      if (r.chance(0.1)) p.serverReference = this.edgeString();
      if (r.chance(0.2)) p.userProperties = this.userProperties();
      if (Object.keys(p).length > 0) packet.properties = p;
    }
    return this.frame(`DISCONNECT rc=0x${reasonCode.toString(16)}${describe(packet.properties)}`, this.encode(packet));
  }

  private auth(): Frame {
    const r = this.r;
    const reasonCode = r.weighted<number>([[2, 0], [3, 0x18], [2, 0x19], [1, r.int(256)]]);
    if (!isReasonCodeAllowed(PacketType.Auth, reasonCode)) this.note('reason code');
    const packet: Packet = { type: PacketType.Auth, reasonCode };
    const p: Properties = {};
    if (r.chance(0.8)) p.authenticationMethod = r.pick(['SCRAM-SHA-1', 'SCRAM-SHA-256', 'fuzz', '', 'x'.repeat(0xffff)]);
    if (r.chance(0.5)) p.authenticationData = this.binary();
    if (r.chance(0.1)) p.reasonString = this.edgeString();
    if (r.chance(0.1)) p.userProperties = this.userProperties();
    if (p.authenticationData !== undefined && p.authenticationMethod === undefined) this.note('Authentication Data alone');
    // §3.15.2.2.2: only Success without any property (the short form) may leave out the method.
    else if (p.authenticationMethod === undefined && (reasonCode !== 0 || Object.keys(p).length > 0)) this.note('no Authentication Method');
    if (Object.keys(p).length > 0) packet.properties = p;
    return this.frame(`AUTH rc=0x${reasonCode.toString(16)}${describe(packet.properties)}`, this.encode(packet));
  }

  // ---- packets out of place -------------------------------------------------------------------------------

  private outOfOrder(): Frame {
    const r = this.r;
    const v5 = this.v5;
    return r.weighted<() => Frame>([
      [4, () => this.connectFrame(true)],
      [2, () => this.ack(PacketType.Pubrel)],
      [1, () => {
        const reasonCode = v5 ? r.pick(REASON_CODES.get(PacketType.Connack)!) : r.int(6);
        const packet: Packet = { type: PacketType.Connack, sessionPresent: reasonCode === 0 && r.chance(0.5), reasonCode };
        if (v5 && r.chance(0.5)) packet.properties = { assignedClientIdentifier: this.edgeString(), serverKeepAlive: r.int(0x10000), maximumQoS: r.int(2) as 0 | 1 };
        return this.frame(`CONNACK (server only) rc=0x${reasonCode.toString(16)}`, this.encode(packet));
      }],
      [1, () => {
        const codes = Array.from({ length: r.between(1, 20) }, () => (v5 ? r.pick(REASON_CODES.get(PacketType.Suback)!) : r.pick([0, 1, 2, 0x80])));
        return this.frame(`SUBACK (server only) ${codes.length}×`, this.encode({ type: PacketType.Suback, packetId: this.packetId(), reasonCodes: codes }));
      }],
      [1, () => {
        const codes = v5 ? Array.from({ length: r.between(1, 20) }, () => r.pick(REASON_CODES.get(PacketType.Unsuback)!)) : [];
        return this.frame('UNSUBACK (server only)', this.encode({ type: PacketType.Unsuback, packetId: this.packetId(), reasonCodes: codes }));
      }],
      [1, () => this.frame('PINGRESP (server only)', this.encode({ type: PacketType.Pingresp }))],
      [1, () => (v5 ? this.auth() : this.raw('AUTH before 5.0', Buffer.from([0xf0, 0x00])))],
      [1, () => this.raw('reserved type 0', Buffer.from([0x00, 0x00]))],
    ])();
  }

  private raw(label: string, bytes: Buffer): Frame {
    this.notes = [];
    return { kind: 'garbage', label, bytes };
  }

  // ---- floods ---------------------------------------------------------------------------------------------

  /**
   * A SUBSCRIBE or UNSUBSCRIBE of up to hundreds of thousands of filters, assembled from pre-encoded
   * entries: building as many Subscription objects for the encoder would take longer than sending them.
   */
  private subscriptionFlood(unsubscribe: boolean): Frame {
    const r = this.r;
    const target = r.pick([10_000, 100_000, this.limits.maxFloodBytes]);
    const table = unsubscribe ? FLOOD_FILTERS : FLOOD_SUBSCRIPTIONS;
    const body = Buffer.allocUnsafe(target + 16);
    let size = 0;
    let count = 0;
    while (size < target) {
      const entry = table[r.int(table.length)];
      entry.copy(body, size);
      size += entry.length;
      count++;
    }
    const id = this.packetId();
    const head = Buffer.from(this.v5 ? [id >> 8, id & 0xff, 0] : [id >> 8, id & 0xff]);
    this.notes = [];
    return {
      kind: 'flood',
      label: `${unsubscribe ? 'UNSUBSCRIBE' : 'SUBSCRIBE'} id=${id} flood ${count}×`,
      bytes: Buffer.concat([Buffer.from([unsubscribe ? 0xa2 : 0x82]), varint(head.length + size), head, body.subarray(0, size)]),
    };
  }

  /** Property bytes repeated up to a flood's size: the unit and a label. */
  private floodUnit(connect = false): [Buffer, string] {
    const r = this.r;
    const target = r.weighted<number>([[4, 1_000], [3, 50_000], [2, 300_000], [1, this.limits.maxFloodBytes]]);
    const [unit, name] = r.weighted<readonly [Buffer, string]>([
      [6, [Buffer.from([0x26, 0, 0, 0, 0]), 'empty User Property']],
      [2, [Buffer.from([0x26, 0, 1, 0x61, 0, 1, 0x62]), 'User Property a=b']],
      [1, [Buffer.concat([Buffer.from([0x26, 0xff, 0xff]), Buffer.alloc(0xffff, 0x6e), Buffer.from([0xff, 0xff]), Buffer.alloc(0xffff, 0x76)]), '64 KiB User Property']],
      [connect ? 0 : 1, [Buffer.from([0x0b, 0x01]), 'Subscription Identifier 1']],
      [connect ? 0 : 1, [Buffer.from([0x23, 0x00, 0x01]), 'Topic Alias 1']],
      [1, [Buffer.from([0x1f, 0x00, 0x00]), 'empty Reason String']],
    ]);
    const count = Math.max(1, Math.floor(target / unit.length));
    return [repeated(unit, count), `${count}× ${name}`];
  }

  private flood(): Frame {
    const r = this.r;
    const kind = r.weighted<string>([
      [this.v5 ? 6 : 0, 'properties'],
      [1.5, 'subscriptions'],
      [2, 'packets'],
    ]);
    if (kind === 'subscriptions') return this.subscriptionFlood(r.chance(0.3));
    if (kind === 'packets') {
      const [unit, name] = r.weighted<readonly [Buffer, string]>([
        [2, [Buffer.from([0xc0, 0x00]), 'PINGREQ']],
        [2, [this.encode({ type: PacketType.Publish, topic: `fuzz/${this.word(1, 2)}`, payload: EMPTY, qos: 0, retain: false, dup: false }), 'PUBLISH q0']],
        [1, [this.encode({ type: PacketType.Publish, topic: `fuzz/${this.word(1, 2)}`, payload: EMPTY, qos: 1, retain: false, dup: false, packetId: r.between(1, 0xffff) }), 'PUBLISH q1 same id']],
        [1, [this.encode({ type: PacketType.Pubrel, packetId: r.between(1, 0xffff), reasonCode: 0 }), 'PUBREL']],
      ]);
      const count = Math.max(1, Math.floor(r.pick([10_000, 100_000, this.limits.maxFloodBytes >> 1]) / unit.length));
      this.notes = [];
      return { kind: 'flood', label: `${count}× ${name} in one write`, bytes: repeated(unit, count) };
    }
    const [extra, what] = this.floodUnit();
    const context = r.weighted<string>([[5, 'publish'], [2, 'subscribe'], [1, 'unsubscribe'], [1, 'ack'], [1, 'disconnect'], [1, 'auth']]);
    let base: Buffer;
    let offset: number;
    let label: string;
    switch (context) {
      case 'publish': {
        const topic = r.chance(0.8) ? `fuzz/flood/${this.word(1, 3)}` : this.deepTopic();
        const qos = r.int(3) as QoS;
        const packet: PublishPacket = { type: PacketType.Publish, topic, payload: r.bytes(r.int(16)), qos, retain: r.chance(0.1), dup: false };
        if (qos > 0) packet.packetId = this.packetId();
        base = this.encode(packet);
        offset = 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0);
        label = publishLabel(packet);
        break;
      }
      case 'subscribe':
      case 'unsubscribe': {
        const filter = this.smallFilter();
        const packet: Packet =
          context === 'subscribe'
            ? { type: PacketType.Subscribe, packetId: this.packetId(), subscriptions: [{ topicFilter: filter, qos: r.int(3) as QoS, noLocal: false, retainAsPublished: false, retainHandling: 0 }] }
            : { type: PacketType.Unsubscribe, packetId: this.packetId(), topicFilters: [filter] };
        base = this.encode(packet);
        offset = 2;
        label = `${context.toUpperCase()} ${show(filter)}`;
        break;
      }
      case 'ack': {
        const type = r.pick(ACK_TYPES);
        // A Reason String forces the long form, which has a Property Length to splice into.
        base = this.encode({ type, packetId: this.packetId(), reasonCode: 0, properties: { reasonString: '' } } as AckPacket);
        offset = 3;
        label = TYPE_NAMES[type];
        break;
      }
      default: {
        const type = context === 'auth' ? PacketType.Auth : PacketType.Disconnect;
        base = this.encode({ type, reasonCode: context === 'auth' ? 0x19 : 0, properties: { reasonString: '' } } as Packet);
        offset = 1;
        label = TYPE_NAMES[type];
      }
    }
    this.notes = [];
    return { kind: 'flood', label: `${label} +${what}`, bytes: spliceProperties(base, offset, extra) };
  }

  // ---- broken framing -------------------------------------------------------------------------------------

  private mutated(): Frame {
    const r = this.r;
    const base = r.chance(0.1) ? this.connectFrame(true) : this.validPacket();
    const [how, bytes] = this.mutate(Buffer.from(base.bytes));
    return { kind: 'mutated', label: `${how}(${base.label})`, bytes };
  }

  private mutate(b: Buffer): [string, Buffer] {
    const r = this.r;
    const n = b.length;
    const what = r.weighted<string>([
      [4, 'bitflip'],
      [2, 'set'],
      [3, 'truncate'],
      [1, 'drop'],
      [1, 'duplicate'],
      [1, 'insert'],
      [3, 'remaining-length'],
      [2, 'type'],
      [2, 'length-field'],
      [1, 'splice'],
    ]);
    switch (what) {
      case 'bitflip': {
        const flips = r.between(1, 8);
        for (let i = 0; i < flips; i++) b[r.int(n)] ^= 1 << r.int(8);
        return [`bitflip×${flips}`, b];
      }
      case 'set': {
        const at = r.int(n);
        b[at] = r.pick([0x00, 0xff, 0x7f, 0x80, r.int(256)]);
        return [`set@${at}=${b[at]}`, b];
      }
      case 'truncate': {
        const keep = r.between(1, Math.max(1, n - 1));
        return [`truncate@${keep}`, b.subarray(0, keep)];
      }
      case 'drop': {
        const at = r.int(n);
        const len = r.between(1, Math.min(16, n - at));
        return [`drop@${at}+${len}`, Buffer.concat([b.subarray(0, at), b.subarray(at + len)])];
      }
      case 'duplicate': {
        const at = r.int(n);
        const len = r.between(1, Math.min(64, n - at));
        return [`duplicate@${at}+${len}`, Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)])];
      }
      case 'insert': {
        const at = r.int(n + 1);
        const len = r.between(1, 32);
        return [`insert@${at}+${len}`, Buffer.concat([b.subarray(0, at), r.bytes(len), b.subarray(at)])];
      }
      case 'remaining-length': {
        const [remaining, size] = readVarint(b, 1);
        const body = b.subarray(1 + size);
        const [name, header] = r.weighted<() => [string, Buffer]>([
          [3, () => { const v = r.int(Math.max(1, remaining)); return [`${v}`, varint(v)]; }],
          [3, () => { const v = Math.min(MAX_VARINT, remaining + r.between(1, 1000)); return [`${v}`, varint(v)]; }],
          [1, () => [`${MAX_VARINT}`, varint(MAX_VARINT)]],
          [1, () => { const v = r.between(remaining, MAX_VARINT); return [`${v}`, varint(v)]; }],
          // The same value in more bytes than it needs [MQTT-1.5.5-1].
          [1, () => [`${remaining} padded`, Buffer.from([(remaining & 0x7f) | 0x80, ((remaining >> 7) & 0x7f) | 0x80, 0x80, 0x00])]],
          [1, () => ['5 bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])]],
          [1, () => ['unterminated', Buffer.from([0x80, 0x80])]],
        ])();
        return [`remaining-length=${name}`, Buffer.concat([b.subarray(0, 1), header, body])];
      }
      case 'type': {
        if (r.chance(0.5)) {
          const type = r.int(16);
          b[0] = (type << 4) | (b[0] & 0x0f);
          return [`type=${type}`, b];
        }
        const bit = r.int(4);
        b[0] ^= 1 << bit;
        return [`flag${bit}`, b];
      }
      case 'length-field': {
        if (n < 4) return ['untouched', b];
        const at = r.between(2, n - 2);
        const value = r.pick([0, 0xffff, 0x8000, b.readUInt16BE(at) + 1, Math.max(0, b.readUInt16BE(at) - 1)]) & 0xffff;
        b.writeUInt16BE(value, at);
        return [`u16@${at}=${value}`, b];
      }
      default: {
        const other = this.validPacket().bytes;
        const cut = r.int(n);
        return [`splice@${cut}`, Buffer.concat([b.subarray(0, cut), other.subarray(r.int(other.length))])];
      }
    }
  }

  private oversized(): Frame {
    const r = this.r;
    const max = this.limits.maxPacketSize;
    this.notes = [];
    return r.weighted<() => Frame>([
      [3, () => {
        // Announced, never sent whole: the broker must refuse it from the header alone.
        const type = r.pick([3, 3, 1, 8, 10, 6]);
        const remaining = r.between(max, MAX_VARINT);
        const first = (type << 4) | (type === 3 ? r.int(6) : type === 8 || type === 10 || type === 6 ? 2 : 0);
        const body = r.bytes(r.int(4096));
        return { kind: 'oversized', label: `type ${type} announcing ${remaining}B, ${body.length}B sent`, bytes: Buffer.concat([Buffer.from([first]), varint(remaining), body]) };
      }],
      [0.6, () => this.publishOfSize(max + r.between(1, 1000), 'oversized')],
      [0.3, () => this.publishOfSize(max + 1, 'oversized')],
      // At the limit: still accepted.
      [0.2, () => this.publishOfSize(max, 'valid')],
    ])();
  }

  /** A QoS 0 PUBLISH of exactly `total` bytes. */
  private publishOfSize(total: number, kind: FrameKind): Frame {
    const topic = 'fuzz/big';
    const fixed = 2 + topic.length + (this.v5 ? 1 : 0);
    let payload = total - 1 - 4 - fixed;
    while (1 + varintSize(fixed + payload) + fixed + payload < total) payload++;
    while (1 + varintSize(fixed + payload) + fixed + payload > total) payload--;
    const packet: PublishPacket = { type: PacketType.Publish, topic, payload: Buffer.alloc(payload, 0x62), qos: 0, retain: false, dup: false };
    return { kind, label: `PUBLISH of ${total}B (limit ${this.limits.maxPacketSize})`, bytes: this.encode(packet) };
  }

  private garbage(): Frame {
    const r = this.r;
    const n = r.weighted<number>([[5, r.between(1, 16)], [3, r.between(17, 512)], [1, r.between(513, 65536)]]);
    const bytes = r.bytes(n);
    this.notes = [];
    return { kind: 'garbage', label: `${n} random bytes`, bytes };
  }
}

const TYPE_NAMES: Record<number, string> = {
  [PacketType.Puback]: 'PUBACK',
  [PacketType.Pubrec]: 'PUBREC',
  [PacketType.Pubrel]: 'PUBREL',
  [PacketType.Pubcomp]: 'PUBCOMP',
  [PacketType.Disconnect]: 'DISCONNECT',
  [PacketType.Auth]: 'AUTH',
};

function publishLabel(p: PublishPacket): string {
  return (
    `PUBLISH q${p.qos}${p.retain ? ' retain' : ''}${p.dup ? ' dup' : ''}${p.packetId ? ` id=${p.packetId}` : ''} ` +
    `topic=${show(p.topic)} ${p.payload.length}B${describe(p.properties)}`
  );
}

/** Property names and the notable values, for a label. */
function describe(props: Properties | undefined): string {
  if (props === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'userProperties') parts.push(`up×${(value as unknown[]).length}`);
    else if (typeof value === 'string') parts.push(`${key}=${show(value)}`);
    else if (Buffer.isBuffer(value)) parts.push(`${key}=${value.length}B`);
    else if (Array.isArray(value)) parts.push(`${key}=${value.join(',')}`);
    else parts.push(`${key}=${value}`);
  }
  return ` {${parts.join(' ')}}`;
}
