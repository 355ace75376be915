import { ReasonCode, reasonCodeName } from './reason-code';

/**
 * A violation found in bytes received from a peer. `reasonCode` is what the specification says to
 * answer with: 0x81 Malformed Packet, 0x82 Protocol Error, 0x95 Packet too large, 0x84 Unsupported
 * Protocol Version (answered with CONNACK), and so on. `rule` cites the normative statement when there is one.
 */
export class MqttProtocolError extends Error {
  override readonly name = 'MqttProtocolError';

  constructor(
    readonly reasonCode: ReasonCode,
    readonly detail: string,
    readonly rule?: string,
  ) {
    super(`${reasonCodeName(reasonCode)} (0x${reasonCode.toString(16)}): ${detail}${rule ? ` [${rule}]` : ''}`);
  }
}

export function malformed(detail: string, rule?: string): MqttProtocolError {
  return new MqttProtocolError(ReasonCode.MalformedPacket, detail, rule);
}

export function protocolError(detail: string, rule?: string): MqttProtocolError {
  return new MqttProtocolError(ReasonCode.ProtocolError, detail, rule);
}
