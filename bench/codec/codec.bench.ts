/**
 * Codec benchmark: parses and encodes PUBLISH (5.0 and 3.1.1), CONNECT and SUBSCRIBE with
 * `@nestmq/mqtt-protocol` and with `mqtt-packet`, in one process, and prints packets per second and the
 * ratio ours/theirs.
 *
 *   npm run bench:codec                      # build, then run
 *   BENCH_WRITE=1 npm run bench:codec        # also write bench/results/codec.txt
 *
 * Environment: BENCH_SECONDS (per case, side and round, default 1), BENCH_ROUNDS (default 5, the median is
 * reported), BENCH_WARMUP_SECONDS (per case and side, default 0.5), BENCH_STREAM_KIB (parse stream, default 1024),
 * BENCH_CHUNK_KIB (socket chunk, default 64), BENCH_FILTER (only workloads whose name contains it),
 * BENCH_OPS (parse | encode: one operation only), BENCH_ONLY (ours | theirs: one side only, for profiling).
 *
 * Parsing feeds a stream of many concatenated packets, cut into socket-sized chunks, to one long-lived
 * parser per case: ours through the hot path (push, then read() until NeedMore; a PUBLISH is read through
 * the view, touching topic, payloadLength and packetId), mqtt-packet through parser().parse() and its
 * 'packet' event. Encoding turns one packet object into bytes: encodePacket() against generate(). Both are
 * called through their package entry points, as an application would call them. Within a round the two
 * sides of a case run in alternating slices, so load from elsewhere on the machine hits both alike; the
 * ratio reported is the median of the per-round ratios.
 */
import { PacketParser, ParseStatus, encodePacket } from '@nestmq/mqtt-protocol';
import * as mqttPacket from 'mqtt-packet';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonOurs, canonTheirs } from './canonical';
import { cpuModel, envNumber, formatRate, median, pairedOpsPerSecond, spreadPercent, table, timeOps } from './harness';
import { WORKLOADS, Workload, buildStream, chunksOf } from './workloads';

const SECONDS = envNumber('BENCH_SECONDS', 1);
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 5));
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 0.5);
const STREAM_BYTES = envNumber('BENCH_STREAM_KIB', 1024) * 1024;
const CHUNK_BYTES = envNumber('BENCH_CHUNK_KIB', 64) * 1024;
const FILTER = process.env.BENCH_FILTER ?? '';
const ONLY = process.env.BENCH_ONLY ?? '';
const OPS = process.env.BENCH_OPS ?? '';
const ENCODE_BATCH = 256;
/** Each side's time per case and round is cut into this many alternating slices. */
const SLICES = 10;

/** Parse targets (ours/theirs) for PUBLISH, encode targets likewise. */
const TARGET = { parse: 3, encode: 2 } as const;

/** Everything a timed loop reads ends up here, so no work is dead code. */
let sink = 0;

type Op = 'parse' | 'encode';
type Side = 'ours' | 'theirs';

interface Case {
  workload: Workload;
  op: Op;
  /** Bytes per packet: on the wire for parse, the encoding for encode. */
  bytesPerPacket: number;
  run: Record<Side, () => number>;
  results: Record<Side, number[]>;
  /** ours/theirs of each round, both timed in the same interleaved slices. */
  ratios: number[];
}

function fail(message: string): never {
  console.error(`codec benchmark: correctness check failed: ${message}`);
  process.exit(1);
}

// ---- parsing -----------------------------------------------------------------------------------------------

function oursParser(w: Workload, chunks: readonly Buffer[]): () => number {
  const parser = new PacketParser({ protocolVersion: w.version });
  return () => {
    let n = 0;
    for (let c = 0; c < chunks.length; c++) {
      parser.push(chunks[c]);
      for (let s = parser.read(); s !== ParseStatus.NeedMore; s = parser.read()) {
        if (s === ParseStatus.Publish) {
          const view = parser.publish;
          sink = (sink + view.topic.length + view.payloadLength + view.packetId) | 0;
        } else if (s === ParseStatus.Packet) {
          sink = (sink + parser.packet!.type) | 0;
        } else {
          throw parser.error;
        }
        n++;
      }
    }
    return n;
  };
}

function theirsParser(w: Workload, chunks: readonly Buffer[]): () => number {
  const parser = mqttPacket.parser({ protocolVersion: w.version });
  let n = 0;
  parser.on('packet', (packet) => {
    n++;
    if (packet.cmd === 'publish') {
      sink = (sink + packet.topic.length + packet.payload.length + (packet.messageId ?? 0)) | 0;
    } else {
      sink = (sink + packet.cmd.length) | 0;
    }
  });
  parser.on('error', (e) => {
    throw e;
  });
  return () => {
    n = 0;
    for (let c = 0; c < chunks.length; c++) parser.parse(chunks[c]);
    return n;
  };
}

/** Parses the stream once with each parser, checking every packet against the packet it was encoded from. */
function checkParse(w: Workload, chunks: readonly Buffer[], packets: number): void {
  const expected = (i: number) => (i % 0xffff) + 1;

  const ours = new PacketParser({ protocolVersion: w.version });
  let n = 0;
  for (const chunk of chunks) {
    ours.push(chunk);
    for (let s = ours.read(); s !== ParseStatus.NeedMore; s = ours.read()) {
      if (s === ParseStatus.Error) fail(`${w.name}: our parser: ${ours.error!.message}`);
      const want = canonOurs(w.withId(expected(n)).ours);
      if (s === ParseStatus.Publish) {
        const view = ours.publish;
        if (view.topic !== w.topic) fail(`${w.name}: our topic is "${view.topic}", expected "${w.topic}"`);
        if (view.payloadLength !== w.payloadLength) fail(`${w.name}: our payload is ${view.payloadLength} bytes, expected ${w.payloadLength}`);
        if (view.qos > 0 && view.packetId !== expected(n)) fail(`${w.name}: our packet id ${view.packetId}, expected ${expected(n)}`);
        if (canonOurs(view.toPacket()) !== want) fail(`${w.name}: our PUBLISH #${n} differs:\n${canonOurs(view.toPacket())}\n${want}`);
      } else if (canonOurs(ours.packet!) !== want) {
        fail(`${w.name}: our packet #${n} differs:\n${canonOurs(ours.packet!)}\n${want}`);
      }
      n++;
    }
  }
  if (n !== packets || ours.buffered !== 0) fail(`${w.name}: our parser read ${n} of ${packets} packets, ${ours.buffered} bytes left`);

  const theirs = mqttPacket.parser({ protocolVersion: w.version });
  let m = 0;
  theirs.on('error', (e) => fail(`${w.name}: mqtt-packet: ${e.message}`));
  theirs.on('packet', (packet) => {
    const got = canonTheirs(packet);
    const want = canonOurs(w.withId(expected(m)).ours);
    if (got !== want) fail(`${w.name}: mqtt-packet packet #${m} differs:\n${got}\n${want}`);
    m++;
  });
  let left = 0;
  for (const chunk of chunks) left = theirs.parse(chunk);
  if (m !== n || left !== 0) fail(`${w.name}: mqtt-packet read ${m} packets, ours ${n}; ${left} bytes left`);
}

// ---- encoding ----------------------------------------------------------------------------------------------

function oursEncoder(w: Workload): () => number {
  const packet = w.ours;
  const version = w.version;
  return () => {
    for (let i = 0; i < ENCODE_BATCH; i++) sink = (sink + encodePacket(packet, version)!.length) | 0;
    return ENCODE_BATCH;
  };
}

function theirsEncoder(w: Workload): () => number {
  const packet = w.theirs;
  const opts = { protocolVersion: w.version };
  return () => {
    for (let i = 0; i < ENCODE_BATCH; i++) sink = (sink + mqttPacket.generate(packet, opts).length) | 0;
    return ENCODE_BATCH;
  };
}

/** Each side's encoding must read back, with the other side's parser too, as the packet it came from. */
function checkEncode(w: Workload): { identical: boolean; length: number } {
  const oursBytes = encodePacket(w.ours, w.version)!;
  const theirsBytes = mqttPacket.generate(w.theirs, { protocolVersion: w.version });
  const want = canonOurs(w.ours);
  for (const [who, bytes] of [['ours', oursBytes], ['mqtt-packet', theirsBytes]] as const) {
    const ours = new PacketParser({ protocolVersion: w.version });
    ours.push(bytes);
    const packet = ours.next();
    if (packet === 'need-more' || packet instanceof Error) fail(`${w.name}: our parser on ${who}'s encoding: ${String(packet)}`);
    if (canonOurs(packet) !== want) fail(`${w.name}: ${who}'s encoding reads back (ours) as\n${canonOurs(packet)}\n${want}`);
    const theirs = mqttPacket.parser({ protocolVersion: w.version });
    let seen = 0;
    theirs.on('error', (e) => fail(`${w.name}: mqtt-packet on ${who}'s encoding: ${e.message}`));
    theirs.on('packet', (p) => {
      seen++;
      if (canonTheirs(p) !== want) fail(`${w.name}: ${who}'s encoding reads back (mqtt-packet) as\n${canonTheirs(p)}\n${want}`);
    });
    theirs.parse(bytes);
    if (seen !== 1) fail(`${w.name}: mqtt-packet read ${seen} packets from ${who}'s encoding`);
  }
  return { identical: oursBytes.equals(theirsBytes), length: oursBytes.length };
}

// ---- the run -----------------------------------------------------------------------------------------------

function commandLine(): string {
  const vars = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const command =
    process.env.npm_lifecycle_event === 'bench:codec'
      ? 'npm run bench:codec'
      : `node ${path.relative(process.cwd(), process.argv[1])}`;
  return [...vars, command].join(' ');
}

function mqttPacketVersion(): string {
  try {
    const dir = path.dirname(require.resolve('mqtt-packet'));
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function main(): void {
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const workloads = WORKLOADS.filter((w) => w.name.includes(FILTER));
  if (workloads.length === 0) fail(`no workload matches BENCH_FILTER="${FILTER}"`);

  const cases: Case[] = [];
  const encodings: string[] = [];
  for (const w of workloads) {
    const { stream, packets } = buildStream(w, STREAM_BYTES);
    const chunks = chunksOf(stream, CHUNK_BYTES);
    checkParse(w, chunks, packets);
    const enc = checkEncode(w);
    encodings.push(`${w.name}: ${enc.length} bytes, ${enc.identical ? 'byte-identical to' : 'differs from (reads back the same as)'} mqtt-packet's`);
    const results = () => ({ ours: [] as number[], theirs: [] as number[] });
    cases.push({
      workload: w,
      op: 'parse',
      bytesPerPacket: stream.length / packets,
      run: { ours: oursParser(w, chunks), theirs: theirsParser(w, chunks) },
      results: results(),
      ratios: [],
    });
    cases.push({
      workload: w,
      op: 'encode',
      bytesPerPacket: enc.length,
      run: { ours: oursEncoder(w), theirs: theirsEncoder(w) },
      results: results(),
      ratios: [],
    });
  }

  const sides: Side[] = ONLY === 'ours' || ONLY === 'theirs' ? [ONLY] : ['ours', 'theirs'];
  const timed = cases.filter((c) => OPS === '' || c.op === OPS);
  if (timed.length === 0) fail(`BENCH_OPS must be parse or encode, got "${OPS}"`);
  // Warm every case before timing any, so each is timed with the same JIT state (all packet types seen).
  for (const c of timed) for (const side of sides) timeOps(WARMUP_SECONDS, c.run[side]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of timed) {
      if (sides.length === 2) {
        const [ours, theirs] = pairedOpsPerSecond(SECONDS, SLICES, c.run.ours, c.run.theirs);
        c.results.ours.push(ours);
        c.results.theirs.push(theirs);
        c.ratios.push(ours / theirs);
      } else {
        const { ops, ns } = timeOps(SECONDS, c.run[sides[0]]);
        c.results[sides[0]].push((ops * 1e9) / ns);
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }

  const rows: string[][] = [];
  const missed: string[] = [];
  for (const c of timed) {
    const ours = c.results.ours.length ? median(c.results.ours) : NaN;
    const theirs = c.results.theirs.length ? median(c.results.theirs) : NaN;
    const ratio = c.ratios.length ? median(c.ratios) : NaN;
    let target = '';
    if (c.workload.kind === 'publish' && sides.length === 2) {
      const want = TARGET[c.op];
      target = ratio >= want ? `>=${want}x ok` : `>=${want}x MISSED`;
      if (ratio < want) missed.push(`${c.workload.name} ${c.op}: ${ratio.toFixed(3)}x < ${want}x`);
    }
    const spread = (v: number[]) => (v.length ? `${spreadPercent(v).toFixed(0)}%` : '-');
    const range = c.ratios.length ? `${Math.min(...c.ratios).toFixed(2)}-${Math.max(...c.ratios).toFixed(2)}` : '-';
    rows.push([
      c.workload.name,
      c.op,
      c.bytesPerPacket.toFixed(0),
      Number.isNaN(ours) ? '-' : formatRate(ours),
      Number.isNaN(theirs) ? '-' : formatRate(theirs),
      Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`,
      range,
      `${spread(c.results.ours)} / ${spread(c.results.theirs)}`,
      target,
    ]);
  }

  const out = [
    `NestMQ codec benchmark: @nestmq/mqtt-protocol (ours) vs mqtt-packet ${mqttPacketVersion()} (theirs)`,
    `command: ${commandLine()}`,
    `date:    ${new Date().toISOString()}`,
    `node:    ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}`,
    `cpu:     ${cpuModel()}, ${os.cpus().length} logical CPUs; load average at start ${startLoad}`,
    `method:  per round, ours and theirs run ${SECONDS} s each per case, interleaved in ${SLICES} alternating ` +
      `slices; ${ROUNDS} rounds, after ${WARMUP_SECONDS} s of warm-up per case and side.`,
    `         parse: ${(STREAM_BYTES / 1024).toFixed(0)} KiB of concatenated packets, in ` +
      `${(CHUNK_BYTES / 1024).toFixed(0)} KiB chunks, into one long-lived parser per case; encode: one packet object to a Buffer.`,
    `         both codecs are called through their package entry points (ours: '@nestmq/mqtt-protocol', compiled to CommonJS).`,
    `         pkt/s: median of the rounds; ours/theirs: median of the per-round ratios; ratio range: lowest and ` +
      `highest round; spread: (max - min) / median of a side's pkt/s.`,
    '',
    table(
      ['workload', 'op', 'B/pkt', 'ours pkt/s', 'mqtt-packet pkt/s', 'ours/theirs', 'ratio range', 'spread o/t', 'target'],
      rows,
      [false, false, true, true, true, true, true, true, false],
    ),
    '',
    `load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `targets (PUBLISH): parse >= ${TARGET.parse}x, encode >= ${TARGET.encode}x: ` +
      (sides.length < 2 ? 'not evaluated (one side only)' : missed.length === 0 ? 'all met' : `missed: ${missed.join('; ')}`),
    '',
    'checked before timing: both parsers read every packet of each stream, equal to the packet it was encoded from;',
    'each side\'s encoding reads back as the source packet with both parsers. Encodings:',
    ...encodings.map((e) => `  ${e}`),
    '',
  ].join('\n');

  process.stdout.write(out);
  process.stderr.write(`(checksum ${sink})\n`);
  if (process.env.BENCH_WRITE === '1') {
    const file = path.resolve(__dirname, '../../results/codec.txt');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, out);
    process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
  }
}

main();
