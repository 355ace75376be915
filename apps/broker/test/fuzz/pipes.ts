import { createHash } from 'node:crypto';
import { Socket, connect } from 'node:net';
import WebSocket from 'ws';
import { Random } from './random';

/**
 * A byte pipe to the broker, whatever carries it. `write` resolves once the bytes are handed over and
 * any backpressure has eased, with false when the pipe is already closed.
 */
export interface Pipe {
  onData: (chunk: Buffer) => void;
  write(bytes: Buffer): Promise<boolean>;
  /** Stop reading: a client that never reads what the broker sends. */
  pauseReading(): void;
  /** The polite way out: FIN, or a WebSocket Close. */
  end(): void;
  /** The rude one: the socket dropped at once. */
  destroy(): void;
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
}

/** How long a write may wait for backpressure to ease before the connection is considered stuck. */
const DRAIN_WAIT_MS = 3000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function connectSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

class SocketPipe implements Pipe {
  onData: (chunk: Buffer) => void = () => undefined;
  isClosed = false;
  readonly closed: Promise<void>;

  constructor(protected readonly socket: Socket) {
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
    socket.on('data', (chunk) => this.receive(chunk));
  }

  protected receive(chunk: Buffer): void {
    this.onData(chunk);
  }

  async write(bytes: Buffer): Promise<boolean> {
    if (this.isClosed || this.socket.destroyed || this.socket.writableEnded) return false;
    if (!this.socket.write(bytes)) {
      await Promise.race([new Promise((resolve) => this.socket.once('drain', resolve)), this.closed, sleep(DRAIN_WAIT_MS)]);
    }
    return !this.isClosed;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export async function openTcp(host: string, port: number, timeoutMs: number): Promise<Pipe> {
  return new SocketPipe(await connectSocket(host, port, timeoutMs));
}

/** MQTT over WebSocket through the `ws` client, as browsers and libraries do it, with a few liberties. */
class WsPipe implements Pipe {
  onData: (chunk: Buffer) => void = () => undefined;
  isClosed = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly r: Random,
  ) {
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
    ws.on('message', (data: Buffer) => this.onData(data));
  }

  async write(bytes: Buffer): Promise<boolean> {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    const mode = this.r.weighted<string>([[95, 'binary'], [3, 'text'], [2, 'fragments']]);
    const done = (): void => undefined;
    if (mode === 'text') {
      // MQTT rides only in binary messages [MQTT-6.0.0-1]; the text may not even be UTF-8.
      this.ws.send(bytes, { binary: false }, done);
    } else if (mode === 'fragments' && bytes.length > 1) {
      const cut = 1 + this.r.int(bytes.length - 1);
      this.ws.send(bytes.subarray(0, cut), { binary: true, fin: false }, done);
      this.ws.send(bytes.subarray(cut), { binary: true, fin: true }, done);
    } else {
      this.ws.send(bytes, { binary: true }, done);
    }
    const deadline = Date.now() + DRAIN_WAIT_MS;
    while (this.ws.bufferedAmount > 1 << 20 && !this.isClosed && Date.now() < deadline) await sleep(5);
    return !this.isClosed;
  }

  pauseReading(): void {
    this.ws.pause();
  }

  end(): void {
    const code = this.r.pick([1000, 1000, 1001, 3000, 4000, 4999]);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, this.r.chance(0.2) ? 'x'.repeat(123) : undefined);
  }

  destroy(): void {
    this.ws.terminate();
  }
}

export async function openWs(host: string, port: number, r: Random, timeoutMs: number): Promise<Pipe> {
  const path = r.weighted<string>([[97, '/mqtt'], [1, '/'], [1, '/other'], [1, '/mqtt?x=1']]);
  const protocols = r.weighted<string[]>([[92, ['mqtt']], [3, ['mqttv3.1']], [2, []], [2, ['bogus']], [1, ['mqtt', 'mqttv3.1']]]);
  const ws = new WebSocket(`ws://${host}:${port}${path}`, protocols, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      reject(new Error(`WebSocket handshake answered ${res.statusCode}`));
    });
  });
  return new WsPipe(ws, r);
}

/**
 * WebSocket spoken by hand over a bare socket, for what the `ws` client never sends: unmasked frames,
 * reserved bits and opcodes, oversized control frames, lying lengths, continuation out of place.
 */
class RawWsPipe extends SocketPipe {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    socket: Socket,
    private readonly r: Random,
    head: Buffer,
  ) {
    super(socket);
    // After the opener's caller has set onData, which it does as soon as the pipe is handed over.
    if (head.length > 0) setImmediate(() => this.receive(head));
  }

  /** Unwraps the server's binary frames; server frames are never masked. */
  protected override receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const b = this.pending;
      if (b.length < 2) return;
      let length = b[1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        header = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        header = 10;
      }
      if (b[1] & 0x80) header += 4;
      if (b.length < header + length) return;
      const opcode = b[0] & 0x0f;
      if (opcode === 0 || opcode === 2) this.onData(b.subarray(header, header + length));
      this.pending = b.subarray(header + length);
    }
  }

  override write(bytes: Buffer): Promise<boolean> {
    const r = this.r;
    const frame = r.weighted<() => Buffer>([
      [80, () => wsFrame(0x2, bytes)],
      [3, () => Buffer.concat(splitMessage(r, bytes))],
      [2, () => wsFrame(0x2, bytes, { mask: false })],
      [2, () => wsFrame(0x2, bytes, { rsv: 1 + r.int(7) })],
      [2, () => wsFrame(r.pick([0x3, 0x7, 0xb, 0xf]), bytes)],
      [2, () => wsFrame(0x1, bytes)],
      [2, () => wsFrame(0x0, bytes)],
      [2, () => Buffer.concat([wsFrame(0x9, r.bytes(r.pick([0, 125, 126]))), wsFrame(0x2, bytes)])],
      [1, () => wsFrame(0xa, r.bytes(r.int(16)))],
      // A 64-bit length far beyond anything the server accepts.
      [1, () => Buffer.concat([Buffer.from([0x82, 0xff, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), r.bytes(4), bytes])],
      [1, () => wsFrame(0x8, Buffer.concat([Buffer.from([r.int(256), r.int(256)]), r.bytes(r.int(8))]))],
      [1, () => r.bytes(r.between(1, 64))],
    ])();
    return super.write(frame);
  }

  override end(): void {
    void super.write(wsFrame(0x8, Buffer.from([0x03, 0xe8]))).then(() => super.end());
  }
}

function wsFrame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | opcode;
  header[1] = (mask ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(n, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(n), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = header.subarray(2 + lengthBytes);
  key.writeUInt32BE((n * 2654435761) >>> 0);
  const masked = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([header, masked]);
}

/** One message as a first frame and continuations. */
function splitMessage(r: Random, bytes: Buffer): Buffer[] {
  const parts = bytes.length < 2 ? [bytes] : [bytes.subarray(0, 1 + r.int(bytes.length - 1))];
  if (bytes.length >= 2) parts.push(bytes.subarray(parts[0].length));
  return parts.map((part, i) => wsFrame(i === 0 ? 0x2 : 0x0, part, { fin: i === parts.length - 1 }));
}

export async function openRawWs(host: string, port: number, r: Random, timeoutMs: number): Promise<Pipe> {
  const socket = await connectSocket(host, port, timeoutMs);
  const key = r.bytes(16).toString('base64');
  const lines = [
    `GET ${r.weighted<string>([[95, '/mqtt'], [5, '/' + 'x'.repeat(r.int(9000))]])} HTTP/1.1`,
    `Host: ${host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${r.chance(0.97) ? key : 'not-a-key'}`,
    `Sec-WebSocket-Version: ${r.chance(0.97) ? 13 : 8}`,
  ];
  if (r.chance(0.95)) lines.push(`Sec-WebSocket-Protocol: ${r.pick(['mqtt', 'mqtt', 'mqttv3.1', 'mqtt, bogus'])}`);
  if (r.chance(0.03)) lines.push(`X-Fuzz: ${'y'.repeat(r.int(20000))}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  const head = await new Promise<Buffer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error('WebSocket handshake timed out')), timeoutMs);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = received.subarray(0, received.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101 /.test(status)) return finish(new Error(`WebSocket handshake answered ${status}`));
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      if (!received.subarray(0, end).toString('latin1').includes(accept)) return finish(new Error('WebSocket handshake without the expected accept key'));
      finish(undefined, received.subarray(end + 4));
    };
    const onClose = (): void => finish(new Error('closed during the WebSocket handshake'));
    function finish(error?: Error, rest?: Buffer): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(rest!);
      }
    }
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', () => undefined);
  });
  return new RawWsPipe(socket, r, head);
}
