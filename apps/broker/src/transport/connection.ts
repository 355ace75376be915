import {
  DisconnectPacket,
  MqttProtocolError,
  Packet,
  PacketParser,
  PacketType,
  ParseStatus,
  ProtocolVersion,
  QoS,
  ReasonCode,
  encodePacket,
  isReasonCodeAllowed,
  publishPacketIdOffset,
  toConnectReturnCode,
  truncateUtf8,
} from '@nestmq/mqtt-protocol';
import type { AuthPacket } from '@nestmq/mqtt-protocol';
import type { Duplex } from 'node:stream';
import type { HookAnswers } from '../auth/http-acl/hook-answers';
import type { IdentityAcl } from '../auth/identity-acl';
import type { TopicAccess } from '../auth/topic-access';
import { DropReason, PacketSink } from '../qos/packet-sink';
import { Message } from '../routing/message';
import { TopicCache } from '../routing/topic-cache';
import { LongTimeout } from '../session/long-timeout';
import { Session } from '../session/session';
import { DisconnectCause, serverDisconnectCause } from '../session-events/disconnect-cause';
import type { BrokerContext } from './broker-context';
import type { Reauthentication } from './enhanced-auth-handler';
import { handlePacket, handlePublish } from './packet-handlers';

/** Shared by every connection until its first PUBLISH names a topic. */
const NO_TOPIC = Buffer.alloc(0);
/** A Reason String is for people reading a log: a client's own text echoed in one is cut to this. */
const MAX_REASON_STRING_BYTES = 256;
/** Bytes of topics whose ACL decision a connection remembers. */
const PUBLISH_DECISION_BYTES = 64 * 1024;

export const enum ConnectionState {
  AwaitingConnect,
  Authenticating,
  Connected,
  Closed,
}

/**
 * One client connection: the socket, the parser, dispatch to the packet handlers, and the output collected
 * during an event-loop turn and written once. Reading stops while a CONNECT is being authenticated, so at
 * most one packet's worth of bytes waits before CONNACK.
 */
export class Connection implements PacketSink {
  state = ConnectionState.AwaitingConnect;
  v5 = false;
  protocolVersion: ProtocolVersion = 4;
  session: Session | null = null;
  clientId = '';
  username: string | undefined;
  /** Roles the authenticator gave this client's identity, if any. */
  roles: readonly string[] | undefined;
  /** The identity's own topic lists (a JWT claim, the HTTP hook's answer): a restriction on top of the rules. */
  identityAcl: IdentityAcl | undefined;
  /** The identity of the client's verified TLS certificate (TLS_IDENTITY), given to the authenticators. */
  certificateIdentity: string | undefined;
  /** The ACL hook's answers this connection remembers (AUTH_HTTP_ACL_URL), created on first use. */
  hookPublishAnswers: HookAnswers | undefined;
  hookSubscribeAnswers: HookAnswers | undefined;
  /** The ACL hook request this connection waits for, reading paused; aborted when the socket goes. */
  hookWait: AbortController | undefined;
  /** Closes the connection when its credentials expire (AUTH_JWT_EXPIRY=disconnect). */
  private credentialsExpiry: LongTimeout | undefined;
  readonly openedAt = Date.now();
  lastPacketAt = this.openedAt;
  /** Keep alive in milliseconds as agreed in CONNACK; 0 = none. */
  keepAliveMs = 0;
  peerMaxPacketSize = Number.MAX_SAFE_INTEGER;
  peerReceiveMaximum = 65535;
  peerTopicAliasMaximum = 0;
  /** Client-to-server Topic Aliases of this connection only [MQTT-3.3.2-7]. */
  /** Created on first use, like the other per-connection maps: an idle connection holds none. */
  inboundAliases: Map<number, { topic: string; bytes: Buffer }> | undefined;
  /** Bytes of topic names the inbound aliases hold (bounded by MAX_TOPIC_ALIAS_BYTES). */
  inboundAliasBytes = 0;
  private publishDecisions: TopicCache<boolean> | undefined;
  /** Server-to-client Topic Aliases of this connection, by topic. */
  outboundAliases: Map<string, number> | undefined;
  private outboundAliasBytes = 0;
  /** Aborts the authentication of a CONNECT still waiting for it when the socket goes away. */
  authentication: AbortController | undefined;
  /** The Authentication Method the client authenticated with at CONNECT (enhanced authentication), if any. */
  authMethod: string | undefined;
  /** During an enhanced authentication at CONNECT: takes the client's next packet (undefined: not an AUTH). */
  authWaiter: ((packet: AuthPacket | undefined) => void) | undefined;
  /** A re-authentication in progress (§4.12.1). */
  reauthentication: Reauthentication | undefined;
  /** The topic of the previous PUBLISH, to skip decoding and lookups when a client repeats itself. */
  lastTopic = '';
  lastTopicBytes: Buffer = NO_TOPIC;
  /** The client asked for Problem Information (Reason String, User Properties on failures). */
  problemInformation = true;
  /** Set when the client sent DISCONNECT 0x00: the will is discarded [MQTT-3.1.2-10]. */
  normalDisconnect = false;
  /** When CONNACK accepted the connection (epoch ms); 0 = not accepted, so no `disconnect` event follows. */
  acceptedAt = 0;
  /** This connection's traffic, for the admin API: bytes on the socket, PUBLISH packets each way. */
  bytesIn = 0;
  bytesOut = 0;
  publishIn = 0;
  publishOut = 0;
  /** Who ended the connection and with which reason code, for its `disconnect` event: the first cause wins. */
  private ending: { by: DisconnectCause; reasonCode: number | null; error?: string } | undefined;

  readonly parser: PacketParser;
  /** Acknowledgements held back until a commit, in the order their PUBLISH arrived [MQTT-4.6.0-2]. */
  acksWaiting = 0;
  private ackChain: Promise<void> = Promise.resolve();
  private out: Buffer[] = [];
  /** Packet Identifier to patch into the PUBLISH at the same index of `out`; 0 = none. */
  private outIds: number[] = [];
  private outBytes = 0;
  private paused = false;
  /** Reading stopped because the client does not read what we write (see flush). */
  readingStopped = false;

  constructor(
    readonly socket: Duplex,
    readonly broker: BrokerContext,
    readonly remoteAddress: string,
  ) {
    const config = broker.config;
    this.parser = new PacketParser({
      maxPacketSize: config.maxPacketSize,
      maxPropertyBytes: config.maxPropertyBytes,
      maxUserProperties: config.maxUserProperties,
    });
    socket.on('data', this.onData);
    socket.on('error', this.onSocketError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    broker.keepAlive.watch(this);
    broker.stats.connectionsTotal++;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.broker.stats.bytesReceived += chunk.length;
    this.bytesIn += chunk.length;
    this.lastPacketAt = Date.now();
    try {
      this.parser.push(chunk);
      this.processPackets();
      if (this.state === ConnectionState.AwaitingConnect || this.authWaiter !== undefined || this.heldBeforeConnect > 0) this.holdBeforeConnect();
    } catch (e) {
      this.failed(e);
    }
  };

  /** Bytes of an unfinished CONNECT this connection counts in the broker's MAX_CONNECTING_BYTES. */
  private heldBeforeConnect = 0;

  private holdBeforeConnect(): void {
    // An AUTH awaited during enhanced authentication at CONNECT is held the same way: no CONNACK yet.
    const held = this.state === ConnectionState.AwaitingConnect || this.authWaiter !== undefined ? this.parser.buffered : 0;
    if (this.broker.connectingBytes.update(this.heldBeforeConnect, held)) {
      this.heldBeforeConnect = held;
      return;
    }
    // No CONNECT, so no protocol level to answer in, and nothing to flush: the socket goes at once.
    this.broker.stats.connectsRefusedConnectingBytes++;
    this.socket.destroy();
  }

  /** Handles every complete packet received so far, unless paused for authentication. */
  processPackets(): void {
    const parser = this.parser;
    while (!this.paused && this.state !== ConnectionState.Closed) {
      const status = parser.read();
      if (status === ParseStatus.NeedMore) return;
      this.broker.stats.messagesReceived++;
      if (status === ParseStatus.Publish) {
        handlePublish(this, parser.publish);
      } else if (status === ParseStatus.Packet) {
        handlePacket(this, parser.packet!);
      } else {
        this.protocolViolation(parser.error!);
        return;
      }
    }
  }

  /** Stops reading while CONNECT is authenticated; bytes already read stay in the parser. */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.readingStopped) this.socket.resume();
    this.processPackets();
  }

  // ---- output ----

  write(bytes: Buffer): void {
    if (this.state === ConnectionState.Closed) return;
    // Acknowledgements and PINGRESP too: nothing larger than the client's Maximum Packet Size [MQTT-3.1.2-24].
    if (bytes.length > this.peerMaxPacketSize) {
      this.dropped('too-large');
      return;
    }
    this.out.push(bytes);
    this.outIds.push(0);
    this.outBytes += bytes.length;
    this.broker.stats.messagesSent++;
    if (this.out.length === 1) this.broker.flusher.schedule(this);
  }

  writePublish(bytes: Buffer, packetId: number, qos: QoS): void {
    if (this.state === ConnectionState.Closed) return;
    this.out.push(bytes);
    this.outIds.push(packetId);
    this.outBytes += bytes.length;
    this.broker.stats.publishSentByQoS[qos]++;
    this.publishOut++;
    if (this.out.length === 1) this.broker.flusher.schedule(this);
  }

  writePacket(packet: Packet): void {
    const bytes = encodePacket(packet, this.protocolVersion, this.peerMaxPacketSize);
    if (bytes !== null) this.write(bytes);
  }

  /**
   * Sends a PUBACK, PUBREC or PUBCOMP: at once, or, when `durable`, once what it acknowledges is committed
   * (a QoS 1/2 message routed to a persistent session, a QoS 2 state change). Later acknowledgements wait
   * behind earlier ones, so the order never changes.
   */
  acknowledge(bytes: Buffer, durable: boolean, then?: () => void): void {
    if (!durable && this.acksWaiting === 0) {
      this.write(bytes);
      then?.();
      return;
    }
    this.acksWaiting++;
    const commit = durable ? this.broker.persistence.committed() : undefined;
    this.ackChain = this.ackChain
      .then(() => commit)
      .then(() => {
        this.acksWaiting--;
        this.write(bytes);
        then?.();
      })
      .catch((e: unknown) => this.failed(e));
  }

  /** Bytes waiting to go out: collected this turn plus what the socket has not yet taken. */
  get pendingBytes(): number {
    return this.outBytes + this.socket.writableLength;
  }

  get congested(): boolean {
    return this.pendingBytes > this.broker.config.maxPendingBytes;
  }

  /** Writes this turn's output as one buffer, patching each subscriber's Packet Identifier in. */
  flush(): void {
    const out = this.out;
    if (out.length === 0 || this.state === ConnectionState.Closed) return;
    const ids = this.outIds;
    let bytes: Buffer;
    if (out.length === 1 && ids[0] === 0) {
      bytes = out[0];
    } else {
      bytes = Buffer.allocUnsafe(this.outBytes);
      let pos = 0;
      for (let i = 0; i < out.length; i++) {
        const piece = out[i];
        piece.copy(bytes, pos);
        const id = ids[i];
        if (id !== 0) {
          const at = pos + publishPacketIdOffset(piece);
          bytes[at] = id >> 8;
          bytes[at + 1] = id & 0xff;
        }
        pos += piece.length;
      }
    }
    this.out = [];
    this.outIds = [];
    this.outBytes = 0;
    this.broker.stats.bytesSent += bytes.length;
    this.bytesOut += bytes.length;
    const flowing = this.socket.write(bytes);
    // A client that sends and never reads would make us buffer its acknowledgements without end: while
    // it is this far behind, we stop reading from it too, and TCP slows it down. Only after a write that
    // asked us to wait: then 'drain' comes to resume reading.
    if (!flowing && !this.readingStopped && this.socket.writableLength > this.broker.config.maxPendingBytes) {
      this.readingStopped = true;
      this.socket.pause();
    }
  }

  /** A QoS 0 delivery: dropped, counted, when the client reads too slowly or cannot take its size. */
  deliverQoS0(message: Message, retain: boolean, subscriptionIds: number[] | null, now: number): void {
    if (this.congested) {
      this.dropped('slow-consumer');
      return;
    }
    const bytes = this.encodePublish(message, 0, retain, false, subscriptionIds, now);
    if (bytes !== null) this.writePublish(bytes, 0, 0);
  }

  encodePublish(message: Message, qos: QoS, retain: boolean, dup: boolean, subscriptionIds: number[] | null, now: number): Buffer | null {
    let bytes: Buffer;
    let newAlias = 0;
    try {
      if (this.peerTopicAliasMaximum > 0) {
        // Server-to-client Topic Aliases, this connection only: the first PUBLISH on a topic carries topic
        // and alias, later ones the alias alone; once the client's maximum or the byte bound is reached,
        // new topics go without.
        const aliases = (this.outboundAliases ??= new Map());
        let alias = aliases.get(message.topic) ?? 0;
        const known = alias !== 0;
        if (!known && aliases.size < this.peerTopicAliasMaximum && this.outboundAliasBytes + message.topicBytes.length <= this.broker.config.maxTopicAliasBytes) {
          alias = newAlias = aliases.size + 1;
        }
        bytes = message.encode(true, qos, retain, dup, 0, subscriptionIds, alias, now, known);
      } else if (subscriptionIds === null && !dup) {
        bytes = message.shared(this.v5, qos, retain, now);
      } else {
        bytes = message.encode(this.v5, qos, retain, dup, 0, subscriptionIds, 0, now);
      }
    } catch (e) {
      // What the broker adds per delivery (identifiers, expiry) took a packet of the largest size past
      // what MQTT can encode: too large for this client, like any other.
      if (!(e instanceof RangeError)) throw e;
      this.dropped('too-large');
      return null;
    }
    if (bytes.length > this.peerMaxPacketSize) {
      this.dropped('too-large');
      return null;
    }
    if (newAlias !== 0) {
      this.outboundAliases!.set(message.topic, newAlias);
      this.outboundAliasBytes += message.topicBytes.length;
    }
    return bytes;
  }

  /** The ACL's answer for publishing to `topic`, remembered per topic for this connection. */
  mayPublish(acl: TopicAccess, topic: string): boolean {
    const decisions = (this.publishDecisions ??= new TopicCache(PUBLISH_DECISION_BYTES));
    let allowed = decisions.get(topic);
    if (allowed === undefined) {
      allowed = acl.canPublish(this.username, this.clientId, topic, this.identityAcl, this.roles);
      decisions.set(topic, allowed);
    }
    return allowed;
  }

  /**
   * The credentials the client connected with stop being valid at `at` (epoch ms): then the connection
   * ends, with DISCONNECT 0x87 Not authorized for a 5.0 client, a plain close for 3.1.1, which has none.
   */
  expireAt(at: number): void {
    this.credentialsExpiry?.cancel();
    this.credentialsExpiry = new LongTimeout(() => {
      this.credentialsExpiry = undefined;
      if (this.state === ConnectionState.Closed) return;
      this.broker.stats.credentialsExpired++;
      this.disconnect(ReasonCode.NotAuthorized, 'Credentials expired');
    }, at - Date.now());
  }

  forgetPublishDecisions(): void {
    this.publishDecisions = undefined;
  }

  dropped(reason: DropReason): void {
    const stats = this.broker.stats;
    if (reason === 'too-large') stats.droppedTooLarge++;
    else if (reason === 'queue-full') stats.droppedQueueFull++;
    else if (reason === 'slow-consumer') stats.droppedSlowConsumer++;
    else stats.droppedExpired++;
  }

  // ---- closing ----

  /**
   * Ends the connection for a reason: DISCONNECT with the reason code to a 5.0 client that has been
   * accepted (before that, a refusal is a CONNACK, sent by the CONNECT handler), then close.
   */
  disconnect(reasonCode: ReasonCode, reasonString?: string): void {
    if (this.state === ConnectionState.Closed) return;
    this.endedBy(serverDisconnectCause(reasonCode), reasonCode);
    if (this.v5 && this.state === ConnectionState.Connected) {
      const packet: DisconnectPacket = { type: PacketType.Disconnect, reasonCode };
      if (reasonString && this.problemInformation) packet.properties = { reasonString: truncateUtf8(reasonString, MAX_REASON_STRING_BYTES) };
      this.writePacket(packet);
    }
    this.close();
  }

  /** A malformed packet or protocol violation from the client [MQTT-4.13.1-1]. */
  protocolViolation(error: MqttProtocolError): void {
    this.broker.stats.protocolErrors++;
    if (this.state === ConnectionState.AwaitingConnect && this.parser.protocolVersion === 5) {
      this.v5 = true;
      this.protocolVersion = 5;
      // CONNECT itself was bad: a 5.0 client learns why from CONNACK [MQTT-3.2.2-8].
      this.writePacket({ type: PacketType.Connack, sessionPresent: false, reasonCode: connackCodeFor(error.reasonCode) });
      this.close();
      return;
    }
    if (this.state === ConnectionState.Authenticating && this.authWaiter !== undefined && this.v5) {
      // A bad packet in the middle of enhanced authentication: still before CONNACK, which says why.
      this.writePacket({ type: PacketType.Connack, sessionPresent: false, reasonCode: connackCodeFor(error.reasonCode) });
      this.close();
      return;
    }
    if (this.state === ConnectionState.AwaitingConnect && error.reasonCode === ReasonCode.UnsupportedProtocolVersion) {
      // A 3.1.1 CONNACK is what a client of any level can read: return code 1 [MQTT-3.1.2-2].
      this.write(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      this.close();
      return;
    }
    // A code DISCONNECT cannot carry (0x84 for a second CONNECT of an unknown level, say) becomes 0x82.
    const code = isReasonCodeAllowed(PacketType.Disconnect, error.reasonCode) ? error.reasonCode : ReasonCode.ProtocolError;
    this.disconnect(code, error.detail);
  }

  /**
   * The connection's error boundary: an error nobody expected, in a handler, a promise or a timer started
   * for this connection, ends this connection only (DISCONNECT 0x83 to a 5.0 client; a CONNACK refusal
   * while it is being accepted), is counted and logged, and never reaches the process.
   */
  failed(error: unknown): void {
    this.broker.internalErrors.report(error, this.clientId);
    if (this.state === ConnectionState.Closed) {
      this.socket.destroy();
      return;
    }
    // Output collected this turn may be what failed to encode or write: it goes with the connection.
    this.out = [];
    this.outIds = [];
    this.outBytes = 0;
    try {
      this.endedBy('internal-error', ReasonCode.ImplementationSpecificError, error instanceof Error ? error.message : String(error));
      if (this.state === ConnectionState.Authenticating) {
        const code = ReasonCode.ImplementationSpecificError;
        this.writePacket({ type: PacketType.Connack, sessionPresent: false, reasonCode: this.v5 ? code : toConnectReturnCode(code) });
      } else if (this.state === ConnectionState.Connected && this.v5) {
        this.writePacket({ type: PacketType.Disconnect, reasonCode: ReasonCode.ImplementationSpecificError });
      }
      this.close();
    } catch {
      this.state = ConnectionState.Closed;
      this.socket.destroy();
    }
  }

  /** Notes why the connection is ending, unless an earlier cause was noted. */
  endedBy(by: DisconnectCause, reasonCode: number | null, error?: string): void {
    this.ending ??= error === undefined ? { by, reasonCode } : { by, reasonCode, error };
  }

  /** Flushes what is pending and closes; the 'close' event does the session bookkeeping. */
  close(): void {
    if (this.state === ConnectionState.Closed) return;
    this.flush();
    this.state = ConnectionState.Closed;
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** The client caught up: queued QoS 1/2 messages may go out again. */
  private readonly onDrain = (): void => {
    if (this.readingStopped) {
      this.readingStopped = false;
      if (!this.paused) this.socket.resume();
    }
    try {
      if (this.state === ConnectionState.Connected && this.session !== null) this.session.outbound.drain(this, Date.now());
    } catch (e) {
      this.failed(e);
    }
  };

  /**
   * The peer sent FIN: it will send nothing more. Without this, a peer that half-closes and never reads
   * keeps our pending writes, and so the 'close' that sends its will, from ever coming.
   */
  private readonly onEnd = (): void => {
    if (this.state === ConnectionState.Closed) return;
    this.endedBy('socket-closed', null);
    this.close();
  };

  private readonly onSocketError = (error: Error): void => {
    this.endedBy('socket-error', null, (error as NodeJS.ErrnoException).code ?? error.message);
    // 'close' follows; an abrupt end counts as a lost connection (will published).
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    this.state = ConnectionState.Closed;
    this.broker.connectingBytes.update(this.heldBeforeConnect, 0);
    this.heldBeforeConnect = 0;
    this.broker.keepAlive.unwatch(this);
    this.credentialsExpiry?.cancel();
    this.reauthentication?.cancel();
    this.broker.connectionsPerAddress.leave(this.remoteAddress);
    // A CONNECT still being authenticated is given up: its check leaves the queue, its packet is freed.
    this.authentication?.abort();
    this.hookWait?.abort();
    try {
      this.recordDisconnect();
      this.broker.sessions.connectionClosed(this);
    } catch (e) {
      this.broker.internalErrors.report(e, this.clientId);
    }
  };

  /**
   * The `disconnect` event of an accepted connection, once its socket has closed, whoever ended it. A
   * takeover was recorded as `kicked` by the session registry.
   */
  private recordDisconnect(): void {
    const events = this.broker.sessionEvents;
    if (events === null || this.acceptedAt === 0) return;
    const { by, reasonCode, error } = this.ending ?? { by: 'socket-closed', reasonCode: null };
    if (by !== 'takeover') events.disconnected(this.clientId, this.username, by, reasonCode, Date.now() - this.acceptedAt, error);
  }
}

/** CONNACK has no Topic Alias or Receive Maximum codes: a bad CONNECT is Malformed or a Protocol Error. */
function connackCodeFor(code: ReasonCode): ReasonCode {
  switch (code) {
    case ReasonCode.PacketTooLarge:
    case ReasonCode.UnsupportedProtocolVersion:
    case ReasonCode.MalformedPacket:
    case ReasonCode.ProtocolError:
    case ReasonCode.TopicNameInvalid:
    case ReasonCode.QuotaExceeded:
    case ReasonCode.ImplementationSpecificError:
      return code;
    default:
      return ReasonCode.ProtocolError;
  }
}
