import {
  AckPacket,
  DisconnectPacket,
  Packet,
  PacketType,
  PINGRESP_BYTES,
  PropertyId,
  PublishView,
  QoS,
  ReasonCode,
  SubscribePacket,
  Subscription,
  UnsubscribePacket,
  copyPropertiesWithout,
  encodePacket,
  hasMoreLevelsThan,
  isSysTopic,
  isValidTopicFilter,
  isWellFormedUtf8,
  parseSharedSubscription,
} from '@nestmq/mqtt-protocol';
import { rememberedPublish, waitForPublish, waitForSubscribe } from '../auth/http-acl/hook-checks';
import { Message } from '../routing/message';
import { SubscriptionRecord } from '../session/session';
import { handleConnect } from './connect-handler';
import { handleAuth } from './enhanced-auth-handler';
import { Connection, ConnectionState } from './connection';

/** Properties the broker writes per delivery rather than forwarding as received. */
const NOT_FORWARDED: ReadonlySet<PropertyId> = new Set([
  PropertyId.TopicAlias,
  PropertyId.SubscriptionIdentifier,
  PropertyId.MessageExpiryInterval,
]);

/** Every packet but PUBLISH, which takes the in-place path. */
export function handlePacket(c: Connection, packet: Packet): void {
  if (c.state === ConnectionState.AwaitingConnect && packet.type !== PacketType.Connect) {
    // The first packet must be CONNECT [MQTT-3.1.0-1].
    c.close();
    return;
  }
  if (c.state === ConnectionState.Authenticating) return receivedWhileAuthenticating(c, packet);
  switch (packet.type) {
    case PacketType.Connect:
      if (c.state !== ConnectionState.AwaitingConnect) return c.disconnect(ReasonCode.ProtocolError, 'second CONNECT');
      return void handleConnect(c, packet).catch((e: unknown) => c.failed(e));
    case PacketType.Puback:
    case PacketType.Pubcomp:
      return handleCompletion(c, packet);
    case PacketType.Pubrec:
      return handlePubrec(c, packet);
    case PacketType.Pubrel:
      return handlePubrel(c, packet);
    case PacketType.Subscribe: {
      // The ACL hook answers later: the SUBSCRIBE is handled once it has, reading paused meanwhile.
      const hook = c.broker.aclHook;
      if (hook === null) return handleSubscribe(c, packet);
      return waitForSubscribe(c, hook, packet, (sub) => subscriptionRefusal(c, sub) !== undefined, (codes) => handleSubscribe(c, packet, codes));
    }
    case PacketType.Unsubscribe:
      return handleUnsubscribe(c, packet);
    case PacketType.Pingreq:
      return c.write(PINGRESP_BYTES);
    case PacketType.Disconnect:
      return handleDisconnect(c, packet);
    case PacketType.Auth:
      return handleAuth(c, packet);
    case PacketType.Connack:
    case PacketType.Suback:
    case PacketType.Unsuback:
    case PacketType.Pingresp:
      return c.disconnect(ReasonCode.ProtocolError, 'a packet only a server sends');
  }
}

/**
 * A packet read while a CONNECT's enhanced authentication waits for the client (reading is paused at
 * every other moment of authentication): its AUTH goes to the exchange; DISCONNECT ends it; anything
 * else is a Protocol Error before CONNACK [MQTT-3.1.2-30].
 */
function receivedWhileAuthenticating(c: Connection, packet: Packet): void {
  if (packet.type === PacketType.Disconnect) return c.close();
  c.authWaiter?.(packet.type === PacketType.Auth ? packet : undefined);
}

/** An incoming PUBLISH, read in place. */
export function handlePublish(c: Connection, view: PublishView): void {
  if (c.state !== ConnectionState.Connected) {
    if (c.state === ConnectionState.AwaitingConnect) c.close();
    else if (c.state === ConnectionState.Authenticating) c.authWaiter?.(undefined);
    return;
  }
  const broker = c.broker;
  const config = broker.config;
  const qos = view.qos;
  broker.stats.publishReceivedByQoS[qos]++;
  c.publishIn++;
  if (qos > config.maximumQoS) return c.disconnect(ReasonCode.QoSNotSupported, `QoS ${qos} is above the Maximum QoS`);
  if (view.retain && !config.retainAvailable) return c.disconnect(ReasonCode.RetainNotSupported, 'retain is not available');
  if (view.subscriptionIdentifierCount > 0) {
    return c.disconnect(ReasonCode.ProtocolError, 'a client may not send Subscription Identifiers [MQTT-3.3.4-6]');
  }
  const session = c.session!;
  const packetId = view.packetId;
  if (qos === 2 && session.inboundQoS2.has(packetId)) {
    // A resent QoS 2 PUBLISH: acknowledged again, delivered once [MQTT-4.3.3-10].
    c.acknowledge(ackBytes(PacketType.Pubrec, packetId, 0, c.v5), false);
    return;
  }
  if (qos > 0 && session.inboundQoS2.size + c.acksWaiting >= config.receiveMaximum) {
    return c.disconnect(ReasonCode.ReceiveMaximumExceeded, 'Receive Maximum exceeded');
  }

  // Topic: this connection's alias, the repeated topic of last time, or the name as sent.
  let topic: string;
  let topicBytes: Buffer;
  const alias = view.topicAlias;
  if (alias !== 0) {
    if (alias > config.topicAliasMaximum) return c.disconnect(ReasonCode.TopicAliasInvalid, `Topic Alias ${alias} is above the maximum`);
    if (view.topicLength === 0) {
      const known = c.inboundAliases?.get(alias);
      if (known === undefined) return c.disconnect(ReasonCode.ProtocolError, `Topic Alias ${alias} is not mapped`);
      topic = known.topic;
      topicBytes = known.bytes;
    } else {
      topic = view.topic;
      if (hasMoreLevelsThan(topic, config.maxTopicLevels)) return tooManyLevels(c);
      topicBytes = Buffer.from(view.buffer.subarray(view.topicStart, view.topicEnd));
      const aliases = (c.inboundAliases ??= new Map());
      const replaced = aliases.get(alias);
      const aliasBytes = c.inboundAliasBytes - (replaced?.bytes.length ?? 0) + topicBytes.length;
      if (aliasBytes > config.maxTopicAliasBytes) {
        return c.disconnect(ReasonCode.QuotaExceeded, `Topic Aliases would hold more than ${config.maxTopicAliasBytes} bytes of topics`);
      }
      c.inboundAliasBytes = aliasBytes;
      aliases.set(alias, { topic, bytes: topicBytes });
    }
  } else if (view.topicEquals(c.lastTopicBytes)) {
    topic = c.lastTopic;
    topicBytes = c.lastTopicBytes;
  } else {
    topic = view.topic;
    if (hasMoreLevelsThan(topic, config.maxTopicLevels)) return tooManyLevels(c);
    topicBytes = Buffer.from(view.buffer.subarray(view.topicStart, view.topicEnd));
    c.lastTopic = topic;
    c.lastTopicBytes = topicBytes;
  }

  const access = broker.access;
  // Clients read $SYS and never write it, whatever the ACL says.
  if ((access.active && !c.mayPublish(access, topic)) || isSysTopic(topic)) return refusePublish(c, qos, packetId, ReasonCode.NotAuthorized);
  // The ACL hook narrows what the rules allow: asked once per topic, then remembered (see hook-checks).
  const hook = broker.aclHook;
  if (hook !== null) {
    const allowed = rememberedPublish(c, hook, topic, qos, view.retain);
    if (allowed === false) return refusePublish(c, qos, packetId, ReasonCode.NotAuthorized);
    if (allowed === undefined) {
      return waitForPublish(c, hook, topic, qos, view.retain, (code) =>
        code === ReasonCode.Success ? acceptPublish(c, view, topic, topicBytes) : refusePublish(c, qos, packetId, code),
      );
    }
  }
  acceptPublish(c, view, topic, topicBytes);
}

/** Refused: the reason code in the acknowledgement (5.0); 3.1.1 has no way to say it, so the message is dropped. */
function refusePublish(c: Connection, qos: QoS, packetId: number, code: ReasonCode): void {
  if (qos > 0) c.acknowledge(ackBytes(qos === 1 ? PacketType.Puback : PacketType.Pubrec, packetId, code, c.v5), false);
}

/** A PUBLISH the ACLs allow: checked for its payload and the retained store, routed and acknowledged. */
function acceptPublish(c: Connection, view: PublishView, topic: string, topicBytes: Buffer): void {
  const broker = c.broker;
  const qos = view.qos;
  const packetId = view.packetId;
  const session = c.session!;
  const payload = view.payload;
  if (view.payloadFormatIndicator === 1 && !isWellFormedUtf8(payload)) {
    if (qos === 0 || !c.v5) return c.disconnect(ReasonCode.PayloadFormatInvalid, 'payload is not UTF-8 as its format indicator says');
    c.acknowledge(ackBytes(qos === 1 ? PacketType.Puback : PacketType.Pubrec, packetId, ReasonCode.PayloadFormatInvalid, true), false);
    return;
  }

  const now = c.lastPacketAt;
  const properties = view.hasProperties
    ? copyPropertiesWithout(view.buffer, view.propertiesStart, view.propertiesEnd, NOT_FORWARDED)
    : null;
  const expiry = view.messageExpiryInterval;
  const message = new Message(
    topic,
    topicBytes,
    // QoS 0 without retain is written out during this turn; anything kept longer gets its own copy.
    qos === 0 && !view.retain ? payload : Buffer.from(payload),
    qos,
    view.retain,
    properties,
    expiry >= 0 ? now + expiry * 1000 : 0,
    c.clientId,
    now,
  );
  if (message.retain && !broker.router.retained.admits(message)) {
    // The retained store is full: the PUBLISH is refused with 0x97, in its acknowledgement or, at QoS 0,
    // a DISCONNECT; 3.1.1 has no way to say it, so the message is dropped, as for the ACL.
    broker.stats.retainedRefused++;
    if (qos > 0) c.acknowledge(ackBytes(qos === 1 ? PacketType.Puback : PacketType.Pubrec, packetId, ReasonCode.QuotaExceeded, c.v5), false);
    else if (c.v5) c.disconnect(ReasonCode.QuotaExceeded, 'the retained message store is full');
    return;
  }
  const persistence = broker.persistence;
  const writesBefore = persistence.writes;
  const deliveries = broker.router.publish(message);
  broker.history?.record(message, c.username);
  broker.publishWatcher?.published(message, c.username);
  // No session event per PUBLISH: the message history above covers publishes, and the event log stays
  // at the rate clients connect and subscribe.
  if (qos === 0) return;
  const reasonCode = deliveries === 0 && c.v5 ? ReasonCode.NoMatchingSubscribers : 0;
  if (qos === 2) {
    session.inboundQoS2.add(packetId);
    if (session.persisted) persistence.inboundQoS2(session.clientId, packetId, true);
  }
  // Acknowledged once stored, if anything was: a SIGKILL after PUBACK loses nothing (group commit).
  c.acknowledge(ackBytes(qos === 1 ? PacketType.Puback : PacketType.Pubrec, packetId, reasonCode, c.v5), persistence.writes !== writesBefore);
}

/** A Topic Name deeper than MAX_TOPIC_LEVELS: 0x90 to a 5.0 client, the connection closed for 3.1.1 (§4.13). */
function tooManyLevels(c: Connection): void {
  c.disconnect(ReasonCode.TopicNameInvalid, `Topic Name has more than ${c.broker.config.maxTopicLevels} levels`);
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP without properties: 2 bytes of Packet Identifier, plus a reason code if not 0. */
function ackBytes(type: AckPacket['type'], packetId: number, reasonCode: number, v5: boolean): Buffer {
  const withCode = v5 && reasonCode !== 0;
  const bytes = Buffer.allocUnsafe(withCode ? 5 : 4);
  bytes[0] = (type << 4) | (type === PacketType.Pubrel ? 2 : 0);
  bytes[1] = withCode ? 3 : 2;
  bytes[2] = packetId >> 8;
  bytes[3] = packetId & 0xff;
  if (withCode) bytes[4] = reasonCode;
  return bytes;
}

/** PUBACK for QoS 1, PUBCOMP for QoS 2: the window moves on. */
function handleCompletion(c: Connection, packet: AckPacket): void {
  c.session?.outbound.complete(packet.packetId, c, c.lastPacketAt);
}

function handlePubrec(c: Connection, packet: AckPacket): void {
  const outbound = c.session!.outbound;
  if (packet.reasonCode >= 0x80) {
    // A failure in PUBREC ends the exchange: no PUBREL [MQTT-4.3.3-4].
    outbound.abandon(packet.packetId, c, c.lastPacketAt);
    return;
  }
  const known = outbound.received(packet.packetId);
  c.write(ackBytes(PacketType.Pubrel, packet.packetId, known ? 0 : ReasonCode.PacketIdentifierNotFound, c.v5));
}

function handlePubrel(c: Connection, packet: AckPacket): void {
  const session = c.session!;
  const known = session.inboundQoS2.delete(packet.packetId);
  // A stale stored identifier would swallow the client's next PUBLISH that reuses it: PUBCOMP waits for the commit.
  const durable = known && session.persisted;
  if (durable) c.broker.persistence.inboundQoS2(session.clientId, packet.packetId, false);
  c.acknowledge(ackBytes(PacketType.Pubcomp, packet.packetId, known ? 0 : ReasonCode.PacketIdentifierNotFound, c.v5), durable);
}

/** Why the broker itself refuses a subscription (an invalid filter, its own rules), or undefined. */
function subscriptionRefusal(c: Connection, sub: Subscription): ReasonCode | undefined {
  if (!isValidTopicFilter(sub.topicFilter)) return ReasonCode.TopicFilterInvalid;
  const plain = parseSharedSubscription(sub.topicFilter)?.filter ?? sub.topicFilter;
  if (hasMoreLevelsThan(plain, c.broker.config.maxTopicLevels)) return ReasonCode.TopicFilterInvalid;
  const access = c.broker.access;
  if (access.active && !access.canSubscribe(c.username, c.clientId, plain, c.identityAcl, c.roles)) return ReasonCode.NotAuthorized;
  return undefined;
}

/** `hookCodes`: the ACL hook's answer per filter (0 = allowed), when AUTH_HTTP_ACL_URL is set. */
function handleSubscribe(c: Connection, packet: SubscribePacket, hookCodes?: readonly number[]): void {
  const broker = c.broker;
  const config = broker.config;
  const session = c.session!;
  const subscriptionId = packet.properties?.subscriptionIdentifiers?.[0] ?? 0;
  const codes: number[] = [];
  const writesBefore = broker.persistence.writes;
  const retainedToSend: Array<{ record: SubscriptionRecord; existed: boolean }> = [];
  for (const [i, sub] of packet.subscriptions.entries()) {
    const refusal = subscriptionRefusal(c, sub) ?? (hookCodes?.[i] || undefined);
    if (refusal !== undefined) {
      codes.push(c.v5 ? refusal : 0x80);
      continue;
    }
    if (
      !session.subscriptions.has(sub.topicFilter) &&
      (session.subscriptions.size >= config.maxSubscriptions || session.subscriptionBytes + Buffer.byteLength(sub.topicFilter) > config.maxSubscriptionBytes)
    ) {
      codes.push(c.v5 ? ReasonCode.QuotaExceeded : 0x80);
      continue;
    }
    const qos = Math.min(sub.qos, config.maximumQoS) as QoS;
    const record: SubscriptionRecord = {
      topicFilter: sub.topicFilter,
      qos,
      noLocal: sub.noLocal,
      retainAsPublished: sub.retainAsPublished,
      retainHandling: sub.retainHandling,
      subscriptionId,
    };
    const existed = broker.router.subscribe(session, record);
    codes.push(qos);
    retainedToSend.push({ record, existed });
  }
  broker.sessionEvents?.subscribed(c.clientId, c.username, packet.subscriptions, codes);
  // A persistent session's subscriptions are committed before SUBACK; retained messages follow the SUBACK.
  const suback = encodePacket({ type: PacketType.Suback, packetId: packet.packetId, reasonCodes: codes }, c.protocolVersion, c.peerMaxPacketSize);
  if (suback === null) return;
  c.acknowledge(suback, broker.persistence.writes !== writesBefore, () => sendRetained(c, retainedToSend));
}

/**
 * Retained messages for new subscriptions, with RETAIN set [MQTT-3.3.1-9], as Retain Handling says
 * [MQTT-3.3.1-10, MQTT-3.3.1-11], never for a shared subscription (§4.8.2).
 */
function sendRetained(c: Connection, retainedToSend: Array<{ record: SubscriptionRecord; existed: boolean }>): void {
  const broker = c.broker;
  const session = c.session!;
  const now = Date.now();
  for (const { record, existed } of retainedToSend) {
    if (record.retainHandling === 2 || (record.retainHandling === 1 && existed)) continue;
    if (parseSharedSubscription(record.topicFilter)) continue;
    for (const message of broker.router.retained.matching(record.topicFilter, now)) {
      if (broker.access.active && !broker.access.canRead(c.username, c.clientId, message.topic, c.identityAcl, c.roles)) continue;
      const qos = Math.min(message.qos, record.qos) as QoS;
      const ids = record.subscriptionId ? [record.subscriptionId] : null;
      if (qos === 0) c.deliverQoS0(message, true, ids, now);
      else session.outbound.deliver(c, message, qos, true, ids, now);
    }
  }
}

function handleUnsubscribe(c: Connection, packet: UnsubscribePacket): void {
  const router = c.broker.router;
  const session = c.session!;
  const writesBefore = c.broker.persistence.writes;
  const codes = packet.topicFilters.map((filter) =>
    router.unsubscribe(session, filter) ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted,
  );
  c.broker.sessionEvents?.unsubscribed(c.clientId, c.username, packet.topicFilters, codes);
  const unsuback = encodePacket({ type: PacketType.Unsuback, packetId: packet.packetId, reasonCodes: codes }, c.protocolVersion, c.peerMaxPacketSize);
  if (unsuback !== null) c.acknowledge(unsuback, c.broker.persistence.writes !== writesBefore);
}

function handleDisconnect(c: Connection, packet: DisconnectPacket): void {
  const session = c.session!;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (expiry !== undefined && !c.broker.sessions.updateExpiry(session, expiry)) {
    // Session Expiry 0 at CONNECT may not become non-zero at DISCONNECT [MQTT-3.14.2-2].
    c.disconnect(ReasonCode.ProtocolError, 'Session Expiry Interval was 0 at CONNECT');
    return;
  }
  // Only Normal disconnection discards the will [MQTT-3.14.4-3]; 0x04 and failures publish it.
  c.normalDisconnect = packet.reasonCode === ReasonCode.Success;
  c.endedBy('client', packet.reasonCode);
  c.close();
}
