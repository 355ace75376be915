import { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

/** WebSocket close code 1003, Unsupported Data: what a text frame gets [MQTT-6.0.0-1]. */
const UNSUPPORTED_DATA = 1003;
const NORMAL_CLOSURE = 1000;
/** A close handshake that is under way may take this long before the socket is cut. */
const CLOSE_GRACE_MS = 1000;
/** ws.readyState values (the constants live on the class, which is only imported as a type here). */
const OPEN = 1;
const CLOSED = 3;

const BINARY_FRAME = { binary: true, compress: false, fin: true } as const;

/**
 * MQTT over one WebSocket as a byte stream, the way `Connection` uses a TCP socket: binary messages in,
 * binary frames out, and a 'close' as soon as the WebSocket is gone, however it went (close frame, reset,
 * dropped socket, a frame MQTT does not allow). `createWebSocketStream` from ws only ends its readable
 * side when the peer leaves, and `Connection` waits for 'close', so a vanished client went unnoticed.
 *
 * Output: each write is handed to `ws.send` and completes when the socket has taken it, so
 * `writableLength` counts what the peer has not yet taken and 'drain' means it caught up, as on TCP.
 */
export class WebSocketDuplex extends Duplex {
  /** Reading was stopped by pause(): only resume() may start it again, not the readable side's hunger. */
  private pausedByOwner = false;
  /** A close handshake is under way (a bad frame, or the peer's close frame) that destroy() lets finish. */
  private handshakeUnderWay = false;
  private ending = false;

  /**
   * `socket` is the network connection under `ws`, when known: ws ends it as soon as the close handshake
   * is over, which tells a peer that sent its close frame but keeps the TCP connection open.
   */
  constructor(
    private readonly ws: WebSocket,
    socket?: Duplex,
  ) {
    super();
    ws.binaryType = 'nodebuffer';
    ws.on('message', this.onMessage);
    ws.on('close', this.onWsClose);
    // ws reports bad frames and oversized messages here, after starting a close handshake itself.
    ws.on('error', this.onWsError);
    socket?.once('finish', this.onHandshakeOver);
  }

  private readonly onMessage = (data: RawData, isBinary: boolean): void => {
    if (this.destroyed) return;
    if (!isBinary) {
      // [MQTT-6.0.0-1]: a data frame other than binary closes the Network Connection.
      this.handshakeUnderWay = true;
      this.ws.close(UNSUPPORTED_DATA, 'MQTT needs binary frames');
      this.destroy(new Error('text frame received: MQTT needs binary frames [MQTT-6.0.0-1]'));
      return;
    }
    if (!this.push(toBuffer(data))) this.ws.pause();
  };

  private readonly onWsClose = (): void => this.ended();

  private readonly onHandshakeOver = (): void => {
    // The WebSocket carries nothing more; the peer gets a moment to close its side before it is cut.
    this.handshakeUnderWay = true;
    this.ended();
  };

  /** The WebSocket is gone or done: closes this stream once what was already received has been read. */
  private ended(): void {
    if (this.destroyed || this.ending) return;
    this.ending = true;
    if (this.readableLength === 0 || this.writableEnded) {
      this.destroy();
      return;
    }
    // Messages that arrived while reading was paused (a CONNECT being authenticated) are still handled,
    // as a TCP socket delivers its buffered bytes before the end; unless the owner stops writing first.
    const done = (): void => void this.destroy();
    this.once('end', done);
    this.once('finish', done);
    this.push(null);
  }

  private readonly onWsError = (error: Error): void => {
    if (this.destroyed) return;
    this.handshakeUnderWay = true;
    this.destroy(error);
  };

  override _read(): void {
    if (!this.pausedByOwner) this.ws.resume();
  }

  /** Stops reading from the network, not only the 'data' events, so a paused peer is really held back. */
  override pause(): this {
    this.pausedByOwner = true;
    this.ws.pause();
    return super.pause();
  }

  override resume(): this {
    this.pausedByOwner = false;
    this.ws.resume();
    return super.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk, callback);
  }

  /** What piled up while the socket was busy goes out as one frame: one write instead of one per chunk. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const bytes = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this.send(bytes, callback);
  }

  private send(bytes: Buffer, callback: (error?: Error | null) => void): void {
    // Once the close handshake has begun nothing more can be sent; the WebSocket's 'close' ends this stream.
    if (this.ws.readyState !== OPEN) return callback();
    this.ws.send(bytes, BINARY_FRAME, callback);
  }

  /** end(): a normal close frame after everything written; the peer's answer closes the WebSocket. */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.ws.readyState === OPEN) this.ws.close(NORMAL_CLOSURE);
    // The peer's close frame must be read for the handshake to finish, even if reading was paused.
    this.ws.resume();
    callback();
  }

  /** destroy(): the connection is cut at once, or after a bounded grace when a close handshake is under way. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const ws = this.ws;
    if (ws.readyState !== CLOSED) {
      if (this.handshakeUnderWay) {
        const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        ws.once('close', () => clearTimeout(timer));
      } else {
        ws.terminate();
      }
    }
    callback(error);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
