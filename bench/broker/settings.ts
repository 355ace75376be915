import { RunSettings } from './scenarios';

/** A number from the environment, or `fallback`; anything else stops the benchmark with its name. */
export function envNumber(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return value;
}

/** The throughput runs' settings, from BENCH_* variables: the same for every benchmark that runs them. */
export function throughputSettings(): RunSettings {
  const protocolVersion = envNumber('BENCH_PROTOCOL', 5);
  if (protocolVersion !== 4 && protocolVersion !== 5) throw new Error('BENCH_PROTOCOL must be 4 (MQTT 3.1.1) or 5');
  return {
    protocolVersion,
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
    seconds: envNumber('BENCH_SECONDS', 4),
    window: Math.round(envNumber('BENCH_WINDOW', 1000)),
    ackedWindow: Math.round(envNumber('BENCH_ACKED_WINDOW', 256)),
    inflight: Math.min(65535, Math.round(envNumber('BENCH_INFLIGHT', 64))),
    drainSeconds: envNumber('BENCH_DRAIN_SECONDS', 10),
    stallSeconds: envNumber('BENCH_STALL_SECONDS', 3),
  };
}
