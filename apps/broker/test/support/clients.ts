import mqtt, { IClientOptions, IClientPublishOptions, IPublishPacket, MqttClient } from 'mqtt';

/** An mqtt.js client, connected, that never reconnects by itself. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options });
}

export interface Received {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

/**
 * A client whose Inbox listens before CONNACK arrives: messages a resumed session sends right after
 * CONNACK are not missed.
 */
export async function connectWithInbox(url: string, options: IClientOptions = {}): Promise<[MqttClient, Inbox]> {
  const client = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  const inbox = new Inbox(client);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    }),
    5000,
    'CONNACK',
  );
  return [client, inbox];
}

/** Collects a client's messages and lets a test await them as events, never by sleeping. */
export class Inbox {
  readonly messages: Received[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload, packet });
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length >= w.count) w.resolve();
        return this.messages.length < w.count;
      });
    });
  }

  /** Resolves once `count` messages in all have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<Received[]> {
    if (this.messages.length < count) {
      await withTimeout(
        new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
        timeoutMs,
        `expected ${count} message(s), got ${this.messages.length}`,
      );
    }
    return this.messages.slice(0, count);
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function publish(client: MqttClient, topic: string, payload: string | Buffer, opts: IClientPublishOptions = {}): Promise<unknown> {
  return client.publishAsync(topic, payload, opts);
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected && client.disconnected) return resolve();
    client.once('close', () => resolve());
  });
}

/** Resolves once `condition` holds, checking every 10 ms: for broker state that has no event of its own. */
export async function eventually(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Like eventually, for a condition that must ask asynchronously (the database, say), every 100 ms. */
export async function eventuallyAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The reason code of a QoS 1 PUBLISH's PUBACK: 0 for any success, else the refusal's code. */
export async function pubackCode(client: MqttClient, topic: string): Promise<number> {
  try {
    await client.publishAsync(topic, 'x', { qos: 1 });
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}
