import { PublishParts, QoS, encodePublishParts, messageExpiryProperty, subscriberProperties } from '@nestmq/mqtt-protocol';

/**
 * An application message inside the broker: what was published, once, whoever it goes to. The PUBLISH
 * bytes for a given wire variant (level 4 or 5, QoS, RETAIN) are encoded once and the same Buffer serves
 * every subscriber of that variant; a subscriber's packet identifier is patched in while writing.
 */
export class Message {
  /** Encoded variants: index = (v5 ? 6 : 0) + qos * 2 + (retain ? 1 : 0). */
  private readonly variants: Array<Buffer | undefined> = new Array(12);
  /**
   * Identifier of the stored copy that every persistent session's queued row for this message refers
   * to, so its payload is stored once however many sessions it is queued for; 0 until first stored.
   */
  storedId = 0;

  constructor(
    readonly topic: string,
    readonly topicBytes: Buffer,
    /** Owned by the message: never a view into a socket chunk that outlives the turn. */
    readonly payload: Buffer,
    readonly qos: QoS,
    readonly retain: boolean,
    /**
     * MQTT 5.0 properties forwarded as received, without Topic Alias, Subscription Identifiers and Message
     * Expiry Interval, which are written per delivery.
     */
    readonly properties: Buffer | null,
    /** Epoch milliseconds after which the message must not be delivered; 0 = never expires. */
    readonly expiresAt: number,
    /** Client identifier of the publisher (No Local); empty for messages the broker itself publishes. */
    readonly publisherId: string,
    readonly receivedAt: number,
  ) {}

  /** What keeping the message costs, as the byte bounds count it: topic, forwarded properties and payload. */
  get byteSize(): number {
    return this.topicBytes.length + (this.properties?.length ?? 0) + this.payload.length;
  }

  isExpired(now: number): boolean {
    return this.expiresAt !== 0 && now >= this.expiresAt;
  }

  /** Remaining Message Expiry Interval in whole seconds [MQTT-3.3.2-6], or -1 when the message has none. */
  remainingExpiry(now: number): number {
    if (this.expiresAt === 0) return -1;
    return Math.max(0, Math.ceil((this.expiresAt - now) / 1000));
  }

  /**
   * The shared encoding of a variant, Packet Identifier 0 to be patched per subscriber. A message with an
   * expiry is encoded afresh each time, since the interval it carries shrinks [MQTT-3.3.2-6].
   */
  shared(v5: boolean, qos: QoS, retain: boolean, now: number): Buffer {
    if (this.expiresAt !== 0) return this.encode(v5, qos, retain, false, 0, null, 0, now);
    const index = (v5 ? 6 : 0) + qos * 2 + (retain ? 1 : 0);
    let bytes = this.variants[index];
    if (bytes === undefined) {
      bytes = this.encode(v5, qos, retain, false, 0, null, 0, now);
      this.variants[index] = bytes;
    }
    return bytes;
  }

  /** A one-off encoding: redelivery (DUP), a later delivery from a queue, identifiers or an alias of one subscriber. */
  encode(
    v5: boolean,
    qos: QoS,
    retain: boolean,
    dup: boolean,
    packetId: number,
    subscriptionIds: readonly number[] | null,
    topicAlias: number,
    now: number,
    omitTopic = false,
  ): Buffer {
    const parts: PublishParts = {
      topic: omitTopic ? EMPTY : this.topicBytes,
      qos,
      retain,
      dup,
      packetId,
      properties: v5 ? this.propertiesFor(subscriptionIds, topicAlias, now) : null,
      payload: this.payload,
    };
    return encodePublishParts(parts, v5);
  }

  private propertiesFor(subscriptionIds: readonly number[] | null, topicAlias: number, now: number): Buffer | null {
    const expiry = this.remainingExpiry(now);
    const perSubscriber = subscriptionIds !== null || topicAlias > 0 ? subscriberProperties(subscriptionIds ?? [], topicAlias) : null;
    if (expiry < 0 && perSubscriber === null) return this.properties;
    const pieces: Buffer[] = [];
    if (this.properties) pieces.push(this.properties);
    if (expiry >= 0) pieces.push(messageExpiryProperty(expiry));
    if (perSubscriber) pieces.push(perSubscriber);
    return Buffer.concat(pieces);
  }
}

const EMPTY = Buffer.alloc(0);
