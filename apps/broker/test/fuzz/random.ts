/**
 * A small seeded PRNG (mulberry32). Everything the fuzzer draws comes from one of these, so a seed
 * reproduces the same bytes on every run and every machine; Math.random would make a failure unrepeatable.
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** In [0, 1). */
  float(): number {
    return this.u32() / 4_294_967_296;
  }

  /** In [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** In [lo, hi], both included. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of the values, each as likely as its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let x = this.float() * total;
    for (const [w, value] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  bytes(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) buf.writeUInt32LE(this.u32(), i);
    for (; i < n; i++) buf[i] = this.u32() & 0xff;
    return buf;
  }

  /**
   * An independent stream: drawing more from one fork (say, write timing) must not shift what another
   * fork (the packets) produces, or a replay would diverge as soon as timing differs.
   */
  fork(): Random {
    return new Random(this.u32());
  }
}

/** The seed of connection `index` in a run: a replay of one connection needs only the run's seed and its index. */
export function connectionSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seed from the environment (decimal or 0x-hex), or a fresh one. */
export function seedFrom(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return (Math.random() * 4_294_967_296) >>> 0;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`FUZZ_SEED=${text}: expected an integer from 0 to 4294967295`);
  return value;
}
