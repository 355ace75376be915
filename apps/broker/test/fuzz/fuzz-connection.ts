import { MqttProtocolError, PacketParser, PacketType, ProtocolVersion, encodePacket } from '@nestmq/mqtt-protocol';
import { FuzzLimits, PacketFuzzer } from './packet-fuzzer';
import { Pipe, openRawWs, openTcp, openWs } from './pipes';
import { Random } from './random';

export type Transport = 'tcp' | 'ws' | 'ws-raw';

export interface FuzzTarget {
  host: string;
  tcpPort: number;
  wsPort: number;
}

export interface ConnectionOptions {
  limits: FuzzLimits;
  /** Share of connections over WebSocket (through `ws` and, a few, by hand). */
  wsShare: number;
  /** A connection still open after this long is dropped, whatever it was doing. */
  maxLifetimeMs: number;
}

export interface ConnectionReport {
  index: number;
  seed: number;
  transport: Transport;
  version: ProtocolVersion;
  /** Labels of the frames sent, in order (the middle of a long run elided). */
  frames: string[];
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  /** How it ended: which side closed and how. */
  ending: string;
  /** What the broker sent that no broker may send. */
  violations: string[];
  startedAt: number;
  endedAt: number;
}

const KEEP_FIRST_LABELS = 40;
const KEEP_LAST_LABELS = 40;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Parses what the broker sends at the level the connection was accepted at, and checks the limit the
 * client announced [MQTT-3.1.2-24]: whatever a client sends, the broker's own bytes must stay well-formed.
 * A CONNACK that refuses the CONNECT is exempt from the limit: the refusal may be of the very CONNECT
 * that announced it.
 */
class ReplyChecker {
  private readonly parser: PacketParser;
  private head: Buffer | undefined = Buffer.alloc(0);
  failure: string | undefined;

  constructor(
    version: ProtocolVersion,
    private readonly maxPacketSize: number,
  ) {
    this.parser = new PacketParser({ protocolVersion: version, maxPacketSize: Number.isFinite(maxPacketSize) ? maxPacketSize : undefined });
  }

  push(chunk: Buffer, onPacket: (type: PacketType, qos: number, packetId: number) => void): void {
    if (this.failure !== undefined) return;
    if (this.head !== undefined) {
      // The first packet decides: a refusing CONNACK (type 2, reason code at offset 3) is let through.
      this.head = Buffer.concat([this.head, chunk]);
      const connack = this.head[0] >> 4 === PacketType.Connack;
      if (connack && this.head.length < 4) return;
      if (connack && this.head[3] !== 0) this.parser.maxPacketSize = Number.MAX_SAFE_INTEGER;
      chunk = this.head;
      this.head = undefined;
    }
    this.parser.push(chunk);
    for (let p = this.parser.next(); p !== 'need-more'; p = this.parser.next()) {
      if (p instanceof MqttProtocolError) {
        this.failure = `the broker sent bytes its client cannot parse: ${p.message}`;
        return;
      }
      if (p.type === PacketType.Connack && Number.isFinite(this.maxPacketSize)) this.parser.maxPacketSize = this.maxPacketSize;
      if (p.type === PacketType.Publish) onPacket(p.type, p.qos, p.packetId ?? 0);
      else if (p.type === PacketType.Pubrel) onPacket(p.type, 0, p.packetId);
      else onPacket(p.type, 0, 0);
    }
  }
}

/**
 * One fuzz connection: a transport, a protocol level, usually a CONNECT, then a random sequence of
 * frames, written in random fragments at a random pace, and a random way out. Everything it sends follows
 * from its seed; only how far it gets depends on the broker (which may close it early).
 */
export class FuzzConnection {
  readonly report: ConnectionReport;
  private pipe: Pipe | undefined;
  private readonly acks: Buffer[] = [];
  private aborted = false;

  constructor(
    index: number,
    seed: number,
    private readonly target: FuzzTarget,
    private readonly options: ConnectionOptions,
  ) {
    this.report = {
      index,
      seed,
      transport: 'tcp',
      version: 4,
      frames: [],
      framesSent: 0,
      bytesSent: 0,
      bytesReceived: 0,
      packetsReceived: 0,
      ending: 'not started',
      violations: [],
      startedAt: Date.now(),
      endedAt: 0,
    };
  }

  /** Drops the connection now (the run is being stopped). */
  abort(): void {
    this.aborted = true;
    this.pipe?.destroy();
  }

  async run(): Promise<ConnectionReport> {
    const report = this.report;
    const root = new Random(report.seed);
    // Separate streams: the packets must not change when timing or transport choices change.
    const packets = root.fork();
    const timing = root.fork();
    const wire = root.fork();
    const acking = root.fork();
    const ws = this.options.wsShare;
    report.transport = timing.weighted<Transport>([[1 - ws, 'tcp'], [ws * 0.85, 'ws'], [ws * 0.15, 'ws-raw']]);
    report.version = timing.weighted<ProtocolVersion>([[1, 3], [8, 4], [11, 5]]);
    const fuzzer = new PacketFuzzer(packets, report.version, this.options.limits);
    const count = timing.weighted<number>([[2, timing.between(0, 2)], [5, timing.between(3, 12)], [3, timing.between(13, 40)], [1, timing.between(41, 120)]]);
    const sendConnect = timing.chance(0.88);
    const ackMode = timing.weighted<string>([[4, 'never'], [4, 'always'], [2, 'sometimes']]);
    const reading = timing.chance(0.92);
    const ending = timing.weighted<string>([[35, 'end'], [25, 'destroy'], [10, 'disconnect'], [15, 'linger'], [10, 'abandon'], [5, 'wait']]);
    const abandonAt = ending === 'abandon' ? timing.int(count + 1) : -1;

    const lifetime = setTimeout(() => {
      report.ending = `still open after ${this.options.maxLifetimeMs} ms: dropped (${report.ending})`;
      this.pipe?.destroy();
    }, this.options.maxLifetimeMs);
    try {
      const { host, tcpPort, wsPort } = this.target;
      try {
        this.pipe =
          report.transport === 'tcp'
            ? await openTcp(host, tcpPort, 5000)
            : report.transport === 'ws'
              ? await openWs(host, wsPort, wire, 5000)
              : await openRawWs(host, wsPort, wire, 5000);
      } catch (e) {
        report.ending = `could not open: ${(e as Error).message}`;
        return report;
      }
      const pipe = this.pipe;
      if (this.aborted) pipe.destroy();
      if (!reading) pipe.pauseReading();

      let checker: ReplyChecker | undefined;
      pipe.onData = (chunk) => {
        report.bytesReceived += chunk.length;
        checker?.push(chunk, (type, qos, id) => {
          report.packetsReceived++;
          this.answer(type, qos, id, ackMode, acking);
        });
        if (checker?.failure !== undefined && !report.violations.includes(checker.failure)) report.violations.push(checker.failure);
      };

      report.ending = 'sending';
      if (sendConnect) {
        const frame = fuzzer.connect();
        if (frame.checkable) checker = new ReplyChecker(report.version, frame.maxPacketSize);
        await this.send(frame.label, frame.bytes, timing);
      }
      for (let i = 0; i < count && !pipe.isClosed && !this.aborted; i++) {
        const frame = fuzzer.next();
        if (i === abandonAt) {
          const part = frame.bytes.subarray(0, timing.int(frame.bytes.length));
          this.label(`${frame.label} [first ${part.length} of ${frame.bytes.length}B, then dropped]`);
          await pipe.write(part);
          report.bytesSent += part.length;
          pipe.destroy();
          report.ending = 'dropped in the middle of a packet';
          break;
        }
        await this.send(frame.label, frame.bytes, timing);
      }

      if (pipe.isClosed) {
        if (report.ending === 'sending') report.ending = 'closed by the broker';
      } else if (!this.aborted) {
        await this.flushAcks();
        await this.finish(pipe, ending, report.version, timing);
      }
      await pipe.closed;
      return report;
    } finally {
      clearTimeout(lifetime);
      report.endedAt = Date.now();
    }
  }

  private label(text: string): void {
    const frames = this.report.frames;
    this.report.framesSent++;
    if (frames.length < KEEP_FIRST_LABELS + KEEP_LAST_LABELS) {
      frames.push(text);
      return;
    }
    if (frames.length === KEEP_FIRST_LABELS + KEEP_LAST_LABELS) frames.splice(KEEP_FIRST_LABELS, 0, '…');
    frames.splice(KEEP_FIRST_LABELS + 1, 1);
    frames.push(text);
  }

  /** Writes one frame: whole, in random pieces, or its first bytes one at a time; then maybe a pause. */
  private async send(label: string, bytes: Buffer, timing: Random): Promise<void> {
    const pipe = this.pipe!;
    await this.flushAcks();
    if (pipe.isClosed) return;
    this.label(label);
    const how = timing.float();
    let pieces: Buffer[];
    if (how < 0.7 || bytes.length < 2) {
      pieces = [bytes];
    } else if (how < 0.9) {
      const cuts = Array.from({ length: timing.between(1, 7) }, () => 1 + timing.int(bytes.length - 1)).sort((a, b) => a - b);
      pieces = [];
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        if (cut > from) pieces.push(bytes.subarray(from, cut));
        from = Math.max(from, cut);
      }
    } else {
      const single = Math.min(bytes.length - 1, 48);
      pieces = [];
      for (let i = 0; i < single; i++) pieces.push(bytes.subarray(i, i + 1));
      pieces.push(bytes.subarray(single));
    }
    for (let i = 0; i < pieces.length; i++) {
      if (!(await pipe.write(pieces[i]))) return;
      this.report.bytesSent += pieces[i].length;
      if (i < pieces.length - 1 && timing.chance(0.3)) await (timing.chance(0.8) ? tick() : sleep(timing.int(5)));
    }
    const pause = timing.float();
    if (pause < 0.3) await tick();
    else if (pause < 0.4) await sleep(timing.int(30));
  }

  /** Acknowledges what the broker delivers, when this connection is one that does. */
  private answer(type: PacketType, qos: number, id: number, ackMode: string, r: Random): void {
    if (ackMode === 'never' || (ackMode === 'sometimes' && r.chance(0.5))) return;
    const v = this.report.version;
    if (type === PacketType.Publish && qos === 1) this.acks.push(encodePacket({ type: PacketType.Puback, packetId: id, reasonCode: 0 }, v)!);
    else if (type === PacketType.Publish && qos === 2) this.acks.push(encodePacket({ type: PacketType.Pubrec, packetId: id, reasonCode: 0 }, v)!);
    else if (type === PacketType.Pubrel) this.acks.push(encodePacket({ type: PacketType.Pubcomp, packetId: id, reasonCode: 0 }, v)!);
  }

  /** Acknowledgements go out between frames, never inside one. */
  private async flushAcks(): Promise<void> {
    if (this.acks.length === 0) return;
    const bytes = Buffer.concat(this.acks.splice(0));
    if (await this.pipe!.write(bytes)) this.report.bytesSent += bytes.length;
  }

  private async finish(pipe: Pipe, ending: string, version: ProtocolVersion, timing: Random): Promise<void> {
    const report = this.report;
    const waitForBroker = async (ms: number): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([pipe.closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
      clearTimeout(timer);
      return closed;
    };
    switch (ending) {
      case 'disconnect': {
        const bytes = encodePacket({ type: PacketType.Disconnect, reasonCode: 0 }, version)!;
        this.label('DISCONNECT (to end)');
        await pipe.write(bytes);
        report.bytesSent += bytes.length;
        report.ending = (await waitForBroker(2000)) ? 'DISCONNECT, closed by the broker' : 'DISCONNECT, then FIN';
        pipe.end();
        break;
      }
      case 'linger': {
        // Whatever the client asked for (a keep alive of 1 s, a will delay), the broker acts while it waits.
        const ms = timing.between(50, 3000);
        report.ending = (await waitForBroker(ms)) ? `closed by the broker while idle` : `idle ${ms} ms, then dropped`;
        pipe.destroy();
        break;
      }
      case 'wait':
        pipe.end();
        report.ending = (await waitForBroker(3000)) ? 'FIN, then closed by the broker' : 'FIN, broker did not close within 3 s';
        if (!pipe.isClosed) pipe.destroy();
        break;
      case 'destroy':
        report.ending = 'dropped';
        pipe.destroy();
        break;
      default:
        report.ending = 'FIN';
        pipe.end();
        if (!(await waitForBroker(2000))) {
          report.ending = 'FIN, then dropped after 2 s';
          pipe.destroy();
        }
    }
  }
}
