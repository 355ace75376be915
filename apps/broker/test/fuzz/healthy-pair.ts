import { randomBytes } from 'node:crypto';
import { MqttClient } from 'mqtt';
import { connectClient, withTimeout } from '../support/clients';

/**
 * A well-behaved QoS 1 publisher and subscriber on the broker under fuzz, round-tripping one message at a
 * time for as long as the run lasts: the broker must keep serving them whatever the fuzz connections do.
 */
export class HealthyPair {
  roundTrips = 0;
  maxRoundTripMs = 0;
  /** When the round trip under way started; undefined between round trips. */
  pendingSince: number | undefined;
  /** Why the pair stopped before it was told to; undefined while it is healthy. */
  failure: string | undefined;
  private stopped = false;
  private lastDone = Date.now();
  private expected = 0;
  private delivered: (() => void) | undefined;
  /** Ends the round trip under way at once, so stopping never waits out a stalled broker. */
  private abandon: ((e: Error) => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly failed: Promise<string>;
  private fail: (why: string) => void = () => undefined;

  private constructor(
    private readonly publisher: MqttClient,
    private readonly subscriber: MqttClient,
    private readonly topic: string,
    private readonly stallMs: number,
  ) {
    this.failed = new Promise((resolve) => {
      this.fail = (why) => {
        if (this.failure !== undefined || this.stopped) return;
        this.failure = why;
        resolve(why);
      };
    });
    subscriber.on('message', (_topic, payload) => {
      if (payload.toString() === String(this.expected)) this.delivered?.();
    });
    for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      client.on('close', () => this.fail(`the healthy ${name}'s connection closed`));
      client.on('error', (e) => this.fail(`the healthy ${name} failed: ${e.message}`));
    }
    this.loop = this.run();
  }

  static async start(url: string, stallMs: number): Promise<HealthyPair> {
    const tag = randomBytes(6).toString('hex');
    const topic = `healthy/${tag}`;
    const subscriber = await connectClient(url, { clientId: `healthy-sub-${tag}` });
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const publisher = await connectClient(url, { clientId: `healthy-pub-${tag}` });
    return new HealthyPair(publisher, subscriber, topic, stallMs);
  }

  /** Resolves with the reason when the pair fails: a stall, or one of its connections lost. */
  get failedWith(): Promise<string> {
    return this.failed;
  }

  /** When the last round trip completed (epoch ms): the broker was keeping up until then. */
  get lastRoundTripAt(): number {
    return this.lastDone;
  }

  /** One round trip now, on demand: the broker still answers after the fuzz. */
  async roundTrip(): Promise<number> {
    const seq = ++this.expected;
    const started = (this.pendingSince = Date.now());
    const delivered = new Promise<void>((resolve) => (this.delivered = resolve));
    const abandoned = new Promise<never>((_, reject) => (this.abandon = reject));
    try {
      await withTimeout(
        Promise.race([Promise.all([this.publisher.publishAsync(this.topic, String(seq), { qos: 1 }), delivered]), abandoned]),
        this.stallMs,
        `healthy round trip #${seq} (${this.roundTrips} completed so far)`,
      );
    } finally {
      this.pendingSince = undefined;
      this.abandon = undefined;
    }
    const ms = Date.now() - started;
    this.roundTrips++;
    this.maxRoundTripMs = Math.max(this.maxRoundTripMs, ms);
    this.lastDone = Date.now();
    return ms;
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.failure === undefined) {
      try {
        await this.roundTrip();
      } catch (e) {
        this.fail(`stalled: ${(e as Error).message}`);
        return;
      }
      // A short breath, so the pair measures the broker rather than competing with the fuzz for the CPU.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Ends the background round trips (the clients stay connected). */
  async pause(): Promise<void> {
    this.stopped = true;
    this.abandon?.(new Error('stopped'));
    await this.loop;
  }

  async close(): Promise<void> {
    await this.pause();
    await Promise.all([this.publisher.endAsync(true), this.subscriber.endAsync(true)]).catch(() => undefined);
  }
}
