import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { PacketType } from '@nestmq/mqtt-protocol';
import { connectClient, eventually, withTimeout } from './support/clients';
import { freePort, spawnBroker } from './support/broker-process';
import { RawClient } from './support/raw-client';
import { MemorySampler, SysWatcher, scanOutput } from './fuzz/broker-watch';
import { Campaign, CampaignResult, formatReport } from './fuzz/campaign';
import { HealthyPair } from './fuzz/healthy-pair';
import { seedFrom } from './fuzz/random';

/**
 * The knobs, from the environment: `npm test` runs a bounded count in well under a minute, `npm run fuzz`
 * the same suite for minutes (scripts/fuzz.mjs), and FUZZ_SEED (+ FUZZ_ONLY) replays a failure.
 */
function settings() {
  const num = (name: string, fallback: number): number => {
    const raw = process.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a number >= 0`);
    return value;
  };
  const connections = num('FUZZ_CONNECTIONS', 400);
  const only = process.env.FUZZ_ONLY?.trim();
  return {
    seed: seedFrom(process.env.FUZZ_SEED),
    connections: connections === 0 ? Infinity : connections,
    durationMs: num('FUZZ_DURATION_MS', 20_000),
    concurrency: Math.max(1, num('FUZZ_CONCURRENCY', 16)),
    wsShare: Math.min(1, num('FUZZ_WS_SHARE', 0.3)),
    maxPacketSize: num('FUZZ_MAX_PACKET_SIZE', 2 * 1024 * 1024),
    // Generous: the machines this runs on are shared and noisy; stalls of a few seconds under the heaviest
    // floods are known and tracked, a hung or dead broker is what this must catch.
    stallMs: num('FUZZ_STALL_MS', 20_000),
    maxLifetimeMs: num('FUZZ_MAX_LIFETIME_MS', 8_000),
    brokerHeapMb: num('FUZZ_BROKER_HEAP_MB', 1536),
    only: only ? only.split(',').map((s) => Number(s.trim())) : undefined,
    // Extra broker settings, as `NAME=value` separated by spaces, to replay a run under another configuration.
    brokerEnv: Object.fromEntries(
      (process.env.FUZZ_BROKER_ENV ?? '')
        .split(' ')
        .filter((pair) => pair.includes('='))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
}

const config = settings();
const MAX_SUSPECTS_SHOWN = 12;

function summary(result: CampaignResult, extra: Record<string, unknown>): string {
  const counts = (record: Record<string, number>): string =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  return [
    `fuzz: ${result.finished}/${result.started} connections in ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
      `${result.framesSent} frames, ${(result.bytesSent / 1e6).toFixed(1)} MB sent, ${(result.bytesReceived / 1e6).toFixed(1)} MB received`,
    `fuzz: transports ${counts(result.byTransport)}; levels ${counts(result.byVersion)}`,
    `fuzz: endings ${counts(result.endings)}`,
    `fuzz: ${Object.entries(extra)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ].join('\n');
}

describe('fuzz: structure-aware random packets against the broker process', () => {
  it(
    'stays up, keeps a QoS 1 pair round-tripping and answers new clients, whatever many connections send',
    async () => {
      const { seed } = config;
      const replay = `FUZZ_SEED=${seed}${config.only ? ` FUZZ_ONLY=${config.only.join(',')}` : ''}`;
      console.log(`fuzz: seed ${seed} (replay: ${replay} npx jest fuzz.e2e-spec)`);

      const mqttPort = await freePort();
      let wsPort = await freePort();
      while (wsPort === mqttPort) wsPort = await freePort();
      const broker = await spawnBroker({
        MQTT_PORT: String(mqttPort),
        WS_PORT: String(wsPort),
        MQTT_HOST: '127.0.0.1',
        ALLOW_ANONYMOUS: 'true',
        MAX_PACKET_SIZE: String(config.maxPacketSize),
        // The $SYS counters are how the test sees the broker's own idea of who is connected.
        SYS_INTERVAL: '1',
        // A ceiling well above normal use: a flood that exhausts memory ends the process (seen, reported)
        // instead of the machine.
        NODE_OPTIONS: `--max-old-space-size=${config.brokerHeapMb}`,
        // The embedded database lives in memory here: the tables clients fill get bounds that fit in it, so
        // that trimming (and its VACUUM) runs during the fuzz instead of after hours of it.
        HISTORY_MAX_BYTES: String(64 * 1024 * 1024),
        SESSION_EVENTS_MAX_BYTES: String(16 * 1024 * 1024),
        ...config.brokerEnv,
      });
      const memory = new MemorySampler(broker.child.pid!);
      const url = `mqtt://127.0.0.1:${mqttPort}`;
      const sys = await SysWatcher.start(url);
      const pair = await HealthyPair.start(url, config.stallMs);

      const campaign = new Campaign(
        { host: '127.0.0.1', tcpPort: mqttPort, wsPort },
        {
          seed,
          connections: config.connections,
          concurrency: config.concurrency,
          durationMs: config.durationMs,
          only: config.only,
          wsShare: config.wsShare,
          maxLifetimeMs: config.maxLifetimeMs,
          limits: { maxPacketSize: config.maxPacketSize, maxFloodBytes: Math.min(4 * 1024 * 1024, config.maxPacketSize - 1024) },
        },
      );
      let exit: string | undefined;
      let stopping = false;
      void broker.exited.then((code) => {
        if (stopping) return;
        exit = `the broker process exited (code ${code}, signal ${broker.child.signalCode})`;
        campaign.stop(exit);
      });
      void pair.failedWith.then((why) => campaign.stop(`the healthy pair: ${why}`));
      // What was on the wire while the healthy pair waited longest: the likely cause of a slow broker.
      let slowest = { ms: 0, at: 0, busy: [] as string[] };
      const slowWatch = setInterval(() => {
        const since = pair.pendingSince;
        if (since === undefined) return;
        const waited = Date.now() - since;
        if (waited >= 1000 && waited > slowest.ms) slowest = { ms: waited, at: since, busy: since === slowest.at ? slowest.busy : campaign.snapshot() };
      }, 200);
      const progress = setInterval(() => {
        const r = campaign.result;
        console.log(`fuzz: ${r.finished} connections done, ${r.framesSent} frames; healthy round trips ${pair.roundTrips} (max ${pair.maxRoundTripMs} ms); broker RSS peak ${memory.peakMb} MB`);
      }, 30_000);
      progress.unref();

      const problems: string[] = [];
      let result: CampaignResult;
      try {
        result = await campaign.run();
      } finally {
        clearInterval(progress);
        clearInterval(slowWatch);
      }
      const fuzzEnded = Date.now();
      if (result.stoppedBecause !== undefined) {
        // A lost healthy connection is often the first sign of a crash; the exit event follows a moment later.
        await Promise.race([broker.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (exit !== undefined) problems.push(exit);
        if (result.stoppedBecause !== exit) problems.push(`the run was stopped: ${result.stoppedBecause}`);
      }

      // The broker still answers: the healthy pair, and clients that arrive after the fuzz. Each check runs
      // only while the process lives (a crash may come after the last fuzz connection closed).
      if (pair.failure !== undefined && exit === undefined && !result.stoppedBecause?.includes(pair.failure)) problems.push(`the healthy pair: ${pair.failure}`);
      await pair.pause();
      // A broker may take a moment to work off a storm; a new client must get in within the stall limit.
      const settling = async (attempt: () => Promise<void>): Promise<Error | undefined> => {
        const started = Date.now();
        for (;;) {
          try {
            await attempt();
            return undefined;
          } catch (e) {
            if (Date.now() - started >= config.stallMs || exit !== undefined) return e as Error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      };
      const checks: Array<() => Promise<void>> = [
        async () => {
          if (pair.failure === undefined) await pair.roundTrip().catch((e: Error) => problems.push(`no healthy round trip after the fuzz: ${e.message}`));
        },
        ...(['TCP', 'WebSocket'] as const).map((name) => async () => {
          const error = await settling(async () => {
            const client = await connectClient(name === 'TCP' ? url : `ws://127.0.0.1:${wsPort}/mqtt`, { clientId: `fuzz-after-${name}` });
            try {
              await client.subscribeAsync('after/fuzz', { qos: 1 });
              const message = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
              await client.publishAsync('after/fuzz', name, { qos: 1 });
              assert.equal(await withTimeout(message, 5000, `the ${name} client's own message`), name);
            } finally {
              await client.endAsync(true);
            }
          });
          if (error) problems.push(`a new ${name} client after the fuzz, still after ${config.stallMs} ms of retries: ${error.message}`);
        }),
        async () => {
          const error = await settling(async () => {
            const raw = await RawClient.open(mqttPort, 4);
            try {
              raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 4, clean: true, keepAlive: 0, clientId: 'fuzz-after-raw' });
              const connack = await raw.expect(PacketType.Connack);
              if (connack.reasonCode !== 0) throw new Error(`CONNACK return code ${connack.reasonCode}`);
              raw.send({ type: PacketType.Pingreq });
              await raw.expect(PacketType.Pingresp);
            } finally {
              raw.destroy();
            }
          });
          if (error) problems.push(`a new 3.1.1 client after the fuzz, still after ${config.stallMs} ms of retries: ${error.message}`);
        },
        async () => {
          // Every fuzz socket is closed by now; the broker must have noticed, WebSocket ones included.
          const expected = 3;
          const since = Date.now();
          try {
            await eventually(() => exit !== undefined || sys.numberAfter('$SYS/broker/clients/connected', since) === expected, 15_000, 'the connection count to settle');
          } catch {
            problems.push(
              `the broker counts ${sys.latest('$SYS/broker/clients/connected')} connected clients 15 s after every fuzz socket closed; ` +
                `only ${expected} (the healthy pair and the $SYS watcher) are open`,
            );
          }
        },
        async () => {
          const internal = sys.latest('$SYS/broker/errors/internal') ?? 0;
          if (internal > 0) problems.push(`$SYS/broker/errors/internal is ${internal}: the broker caught exceptions it did not expect`);
        },
      ];
      for (const check of checks) if (exit === undefined) await Promise.race([check(), broker.exited]);

      for (const report of result.violations) problems.push(`the broker sent what no broker may send:\n${formatReport(report)}`);

      await Promise.all([pair.close(), sys.close()]);
      if (exit === undefined) {
        stopping = true;
        broker.child.kill('SIGTERM');
        const code = await withTimeout(broker.exited, 10_000, 'the broker to exit after SIGTERM').catch((e: Error) => e.message);
        if (code !== 0) problems.push(`after the fuzz, SIGTERM did not end the broker cleanly: ${code}`);
      }
      memory.stop();
      if (exit !== undefined && !problems.includes(exit)) problems.unshift(exit);

      const output = broker.output();
      const found = scanOutput(output);
      for (const trace of found.uncaught) problems.push(`an exception reached the broker process:\n${trace}`);
      for (const trace of found.internal) problems.push(`the broker logged an internal error:\n${trace}`);
      for (const trace of found.otherTraces) problems.push(`the broker logged a stack trace:\n${trace}`);

      console.log(
        summary(result, {
          seed,
          'healthy round trips': pair.roundTrips,
          'slowest healthy round trip': `${pair.maxRoundTripMs} ms`,
          'broker RSS peak': `${memory.peakMb} MB`,
          'protocol errors counted by the broker': sys.latest('$SYS/broker/errors/protocol') ?? '?',
          'checks after the fuzz': `${((Date.now() - fuzzEnded) / 1000).toFixed(1)} s`,
        }),
      );

      if (slowest.ms > 0) {
        console.log(`fuzz: the healthy pair waited ${slowest.ms}+ ms for one round trip; open fuzz connections and their last frames when it started waiting:`);
        for (const line of slowest.busy) console.log(`fuzz:   ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
      }

      if (problems.length > 0) {
        // Every connection's frames go to a file; the message names the suspects: those open from when the
        // broker last kept up (its last healthy round trip) until it failed.
        const log = join(tmpdir(), `nestmq-fuzz-${seed}.log`);
        writeFileSync(log, `fuzz seed ${seed}\n${problems.join('\n\n')}\n\n${campaign.reports.map(formatReport).join('\n')}\n`);
        const failedAt = campaign.stoppedAt;
        const suspects = failedAt === undefined ? [] : campaign.openBetween(Math.min(pair.lastRoundTripAt, failedAt - 2000), failedAt);
        const shown = suspects.slice(-MAX_SUSPECTS_SHOWN);
        const message = [
          `fuzz seed ${seed} failed (replay: ${replay}):`,
          ...problems.map((p) => `- ${p}`),
          ...(suspects.length > 0
            ? [
                `${suspects.length} connections were open between the last healthy round trip and the failure; replay them alone with ` +
                  `FUZZ_SEED=${seed} FUZZ_ONLY=${suspects.map((r) => r.index).join(',')}` +
                  (shown.length < suspects.length ? `; the last ${shown.length} of them:` : ':'),
                ...shown.map(formatReport),
              ]
            : []),
          `every connection's frames: ${log}`,
          `broker output (last 4000 characters):\n${output.slice(-4000)}`,
        ].join('\n');
        assert.fail(message);
      }
      assert.ok(pair.roundTrips > 0);
    },
    config.durationMs + 180_000,
  );
});
