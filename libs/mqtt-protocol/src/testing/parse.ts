import { Packet } from '../packets';
import { PacketParser } from '../parser';
import { ProtocolVersion } from '../packet-type';
import { MqttProtocolError } from '../protocol-error';

/**
 * Parses `bytes` as a connection at `version` would see them (level 0: as a server before CONNECT), in
 * the given fragment sizes (cycled), and returns every packet plus the error that stopped the stream.
 */
export function parseStream(
  bytes: Buffer,
  version: ProtocolVersion | 0,
  fragments: number[] = [bytes.length || 1],
  maxPacketSize?: number,
): { packets: Packet[]; error?: MqttProtocolError; pending: number } {
  const parser = new PacketParser({ protocolVersion: version === 0 ? undefined : version, maxPacketSize });
  const packets: Packet[] = [];
  let offset = 0;
  let f = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, fragments[f++ % fragments.length]);
    parser.push(bytes.subarray(offset, offset + size));
    offset += size;
    for (;;) {
      const result = parser.next();
      if (result === 'need-more') break;
      if (result instanceof MqttProtocolError) return { packets, error: result, pending: parser.buffered };
      packets.push(result);
    }
  }
  return { packets, pending: parser.buffered };
}

/** Parses exactly one packet that fills `bytes`; throws when that is not what the bytes hold. */
export function parseOne(bytes: Buffer, version: ProtocolVersion | 0): Packet {
  const { packets, error, pending } = parseStream(bytes, version);
  if (error) throw error;
  if (packets.length !== 1 || pending !== 0) {
    throw new Error(`expected one packet, got ${packets.length} with ${pending} byte(s) left`);
  }
  return packets[0];
}
