/** Timing and environment helpers for the codec benchmark. */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/**
 * Runs `batch` (which returns how many operations it did) until `seconds` have passed; returns the
 * operations done and the nanoseconds taken. The clock is read once per batch, so a batch should take
 * well under a millisecond to a few ms.
 */
export function timeOps(seconds: number, batch: () => number): { ops: number; ns: number } {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let ops = 0;
  let now: bigint;
  do {
    ops += batch();
    now = process.hrtime.bigint();
  } while (now < deadline);
  return { ops, ns: Number(now - start) };
}

/**
 * Times two batches against each other for `seconds` each, interleaved in `slices` alternating slices so
 * that a burst of load from elsewhere on the machine hits both alike; returns operations per second of each.
 */
export function pairedOpsPerSecond(seconds: number, slices: number, a: () => number, b: () => number): [number, number] {
  let aOps = 0;
  let aNs = 0;
  let bOps = 0;
  let bNs = 0;
  for (let i = 0; i < slices; i++) {
    const first = i % 2 === 0;
    const x = timeOps(seconds / slices, first ? a : b);
    const y = timeOps(seconds / slices, first ? b : a);
    const [ra, rb] = first ? [x, y] : [y, x];
    aOps += ra.ops;
    aNs += ra.ns;
    bOps += rb.ops;
    bNs += rb.ns;
  }
  return [(aOps * 1e9) / aNs, (bOps * 1e9) / bNs];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max - min) / median, as a percentage: how much the rounds disagree. */
export function spreadPercent(values: readonly number[]): number {
  return ((Math.max(...values) - Math.min(...values)) / median(values)) * 100;
}

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** 1234567.8 -> "1,234,568". */
export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
