import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, it } from '@jest/globals';
import type { WebSocket } from 'ws';
import { WebSocketDuplex } from './websocket-stream';

/** Stands in for a server-side ws WebSocket: records what the duplex asks of it, completes sends on demand. */
class FakeWebSocket extends EventEmitter {
  readyState = 1;
  binaryType = 'arraybuffer';
  isPaused = false;
  sent: Array<{ data: Buffer; options: { binary?: boolean }; done: (error?: Error) => void }> = [];
  closedWith: number | undefined;
  terminated = false;

  pause(): void {
    if (this.readyState !== 3) this.isPaused = true;
  }
  resume(): void {
    if (this.readyState !== 3) this.isPaused = false;
  }
  send(data: Buffer, options: { binary?: boolean }, done: (error?: Error) => void): void {
    this.sent.push({ data, options, done });
  }
  close(code: number): void {
    if (this.readyState !== 1) return;
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 2;
  }
  /** The peer or the network ended it: ws emits 'close' once the socket is gone. */
  gone(): void {
    this.readyState = 3;
    this.emit('close', 1006, Buffer.alloc(0));
  }
}

function pair(): { ws: FakeWebSocket; stream: WebSocketDuplex; chunks: Buffer[] } {
  const ws = new FakeWebSocket();
  const stream = new WebSocketDuplex(ws as unknown as WebSocket);
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { ws, stream, chunks };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Unlike events.once, not rejected by an 'error' that comes first. */
const closeOf = (stream: WebSocketDuplex): Promise<void> => new Promise((resolve) => stream.once('close', () => resolve()));

describe('WebSocketDuplex', () => {
  it('asks ws for Buffers and passes binary messages on as Buffers, in order, whatever their shape', async () => {
    const { ws, chunks } = pair();
    assert.equal(ws.binaryType, 'nodebuffer');
    ws.emit('message', Buffer.from([1, 2]), true);
    ws.emit('message', new Uint8Array([3, 4]).buffer, true);
    ws.emit('message', [Buffer.from([5]), Buffer.from([6])], true);
    await tick();
    assert.deepEqual(chunks.map((c) => [...c]), [[1, 2], [3, 4], [5, 6]]);
    assert.ok(chunks.every((c) => Buffer.isBuffer(c)));
  });

  it('closes at once when the WebSocket closes (close frame, reset or dropped socket), without an error', async () => {
    const { ws, stream } = pair();
    let error: Error | undefined;
    stream.on('error', (e) => (error = e));
    const closed = closeOf(stream);
    ws.gone();
    await closed;
    assert.equal(error, undefined);
    assert.equal(ws.terminated, false, 'nothing left to cut');
  });

  it('closes once ws has ended the socket after a close handshake, giving a peer that holds it open a grace', async () => {
    const ws = new FakeWebSocket();
    const socket = new EventEmitter();
    const stream = new WebSocketDuplex(ws as unknown as WebSocket, socket as unknown as Duplex);
    stream.resume();
    const closed = closeOf(stream);
    ws.readyState = 2;
    socket.emit('finish');
    await closed;
    assert.equal(ws.terminated, false, 'not cut at once');
    ws.gone();
  });

  it('closes on a text frame, with close code 1003 to the peer and an error that says why [MQTT-6.0.0-1]', async () => {
    const { ws, stream, chunks } = pair();
    const failed = once(stream, 'error');
    const closed = closeOf(stream);
    ws.emit('message', Buffer.from('hello'), false);
    const [error] = (await failed) as [Error];
    assert.match(error.message, /MQTT-6\.0\.0-1/);
    await closed;
    assert.equal(ws.closedWith, 1003);
    assert.equal(chunks.length, 0, 'the text is not passed on');
    ws.emit('message', Buffer.from([1]), true);
    assert.equal(chunks.length, 0, 'nothing after the close');
    ws.gone();
  });

  it('closes when ws reports a bad frame, leaving ws to finish the close handshake it started', async () => {
    const { ws, stream } = pair();
    stream.on('error', () => undefined);
    ws.close(1009);
    const closed = closeOf(stream);
    ws.emit('error', new RangeError('Max payload size exceeded'));
    await closed;
    assert.equal(ws.terminated, false);
    ws.gone();
  });

  it('pause() and resume() stop and restart reading from the network', () => {
    const { ws, stream, chunks } = pair();
    stream.pause();
    assert.equal(ws.isPaused, true);
    ws.emit('message', Buffer.from([1]), true); // parsed before the pause took effect
    assert.equal(chunks.length, 0);
    stream.resume();
    assert.equal(ws.isPaused, false);
    return tick().then(() => assert.deepEqual(chunks.map((c) => [...c]), [[1]]));
  });

  it('holds the network back when the reader is full, and only resume() lifts a pause() by the owner', async () => {
    const ws = new FakeWebSocket();
    const stream = new WebSocketDuplex(ws as unknown as WebSocket);
    stream.pause();
    ws.emit('message', Buffer.alloc(64 * 1024), true);
    assert.equal(ws.isPaused, true);
    stream.read();
    await tick();
    assert.equal(ws.isPaused, true, 'still paused by its owner');
    stream.resume();
    assert.equal(ws.isPaused, false);
  });

  it('delivers messages received while paused before closing when the WebSocket goes', async () => {
    const { ws, stream, chunks } = pair();
    stream.pause();
    ws.emit('message', Buffer.from([7]), true);
    let closed = false;
    stream.on('close', () => (closed = true));
    ws.gone();
    await tick();
    assert.equal(closed, false, 'the message waits for the reader');
    stream.resume();
    await closeOf(stream);
    assert.deepEqual(chunks.map((c) => [...c]), [[7]]);
  });

  it('closes without waiting for a paused reader once its owner has ended the stream', async () => {
    const { ws, stream } = pair();
    stream.pause();
    ws.emit('message', Buffer.from([7]), true);
    ws.gone();
    const closed = closeOf(stream);
    stream.end();
    await closed;
  });

  it('sends binary frames and counts bytes as pending until the socket has taken them', async () => {
    const { ws, stream } = pair();
    assert.equal(stream.write(Buffer.alloc(10_000)), true);
    assert.equal(stream.write(Buffer.alloc(10_000)), false, 'above the high-water mark');
    assert.equal(stream.write(Buffer.alloc(5_000)), false);
    assert.equal(ws.sent.length, 1, 'one send at a time');
    assert.equal(ws.sent[0].options.binary, true);
    assert.equal(stream.writableLength, 25_000);
    let drained = false;
    stream.once('drain', () => (drained = true));
    ws.sent[0].done();
    await tick();
    assert.equal(ws.sent.length, 2);
    assert.equal(ws.sent[1].data.length, 15_000, 'what waited goes out as one frame');
    assert.equal(stream.writableLength, 15_000);
    assert.equal(drained, false);
    ws.sent[1].done();
    await tick();
    assert.equal(stream.writableLength, 0);
    assert.equal(drained, true);
  });

  it('passes a failed send on as an error', async () => {
    const { ws, stream } = pair();
    const failed = once(stream, 'error');
    stream.write(Buffer.from([1]));
    ws.sent[0].done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    const [error] = (await failed) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'EPIPE');
  });

  it('drops writes once the close handshake has begun, without an error', async () => {
    const { ws, stream } = pair();
    stream.on('error', assert.fail);
    ws.readyState = 2;
    await new Promise<void>((resolve, reject) => stream.write(Buffer.from([1]), (e) => (e ? reject(e) : resolve())));
    assert.equal(ws.sent.length, 0);
  });

  it('end() sends a normal close frame after the pending writes; destroy() cuts the connection', async () => {
    const { ws, stream } = pair();
    stream.write(Buffer.from([1]));
    stream.end();
    await tick();
    assert.equal(ws.closedWith, undefined, 'not before the data');
    ws.sent[0].done();
    await once(stream, 'finish');
    assert.equal(ws.closedWith, 1000);
    assert.equal(ws.terminated, false);
    stream.destroy();
    assert.equal(ws.terminated, true);
  });
});
