import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { COPY_HEADER } from '../copy/binary-copy';
import { HistoryBatch, HistoryBuffers, decodeBlock } from './history-batch';

/** The blocks of a batch's COPY data: [topic, first ms, last ms, count, messages] per row. */
function rowsOf(data: Buffer): Array<[string, number, number, number, Buffer]> {
  const rows: Array<[string, number, number, number, Buffer]> = [];
  let at = COPY_HEADER.length;
  const PG_EPOCH_MS = 946_684_800_000;
  const field = (): Buffer => {
    const length = data.readInt32BE(at);
    at += 4 + length;
    return data.subarray(at - length, at);
  };
  const time = (b: Buffer): number => Number(b.readBigInt64BE(0) / 1000n) + PG_EPOCH_MS;
  while (data.readInt16BE(at) !== -1) {
    assert.equal(data.readInt16BE(at), 5);
    at += 2;
    rows.push([field().toString(), time(field()), time(field()), field().readInt32BE(0), field()]);
  }
  assert.equal(at + 2, data.length, 'the trailer ends the data');
  return rows;
}

describe('HistoryBatch', () => {
  it('groups messages by topic into blocks, each with its time span and count', () => {
    const batch = new HistoryBatch();
    const add = (topic: string, at: number, payload = 'p'): void => batch.add(topic, Buffer.from(topic), Buffer.from(payload), 0, false, null, 'c', null, at);
    add('a', 2000);
    add('b', 1500);
    add('a', 1000);
    add('a', 3000);
    assert.deepEqual([batch.count, batch.blockCount], [4, 2]);
    assert.deepEqual(
      rowsOf(batch.toCopyData()).map(([topic, first, last, count]) => [topic, first, last, count]),
      [['a', 1000, 3000, 3], ['b', 1500, 1500, 1]],
    );
  });

  it('decodes every field as it was recorded, in the order recorded, flags in every combination', () => {
    const batch = new HistoryBatch();
    const cases = [
      { qos: 0, retain: false, props: null, client: null, user: null, at: -1, payload: '' },
      { qos: 1, retain: true, props: '{"contentType":"ü"}', client: 'pub ✓', user: null, at: 0, payload: 'x' },
      { qos: 2, retain: false, props: null, client: null, user: 'üser', at: 946_684_799_999, payload: 'y'.repeat(100) },
      { qos: 2, retain: true, props: '{}', client: 'c', user: 'u', at: 2 ** 45, payload: 'z'.repeat(70_000) },
    ];
    for (const c of cases) batch.add('t/ü', Buffer.from('t/ü'), Buffer.from(c.payload), c.qos, c.retain, c.props, c.client, c.user, c.at);
    const [[topic, , , count, messages]] = rowsOf(batch.toCopyData());
    assert.deepEqual([topic, count], ['t/ü', 4]);
    const decoded = decodeBlock(messages);
    assert.deepEqual(
      decoded.map((m) => ({ qos: m.qos, retain: m.retain, props: m.propertiesJson, client: m.publisherClientId, user: m.publisherUsername, at: m.receivedAtMs, payload: m.payload.toString() })),
      cases,
    );
    assert.deepEqual(decoded.map((m) => m.index), [0, 1, 2, 3]);
    assert.equal(decoded[3].end, messages.length);
    assert.equal(decoded[1].start, decoded[0].end, 'each message starts where the one before ends');
    const bytesOfMessages = decoded.reduce((n, m) => n + (m.end - m.start), 0);
    assert.equal(batch.byteLength, bytesOfMessages + Buffer.byteLength('t/ü'));
  });

  it('refuses a truncated block rather than reading past it', () => {
    const batch = new HistoryBatch();
    batch.add('t', Buffer.from('t'), Buffer.from('payload'), 1, false, null, null, null, 5);
    const [[, , , , messages]] = rowsOf(batch.toCopyData());
    for (const cut of [1, 9, 12, messages.length - 1]) assert.throws(() => decodeBlock(messages.subarray(0, cut)), RangeError, `cut at ${cut}`);
  });

  it('builds blocks across chunks that the next batches reuse, with every message intact', () => {
    const buffers = new HistoryBuffers(1024, 8);
    for (const round of [1, 2, 3]) {
      const batch = new HistoryBatch(buffers);
      const payloads = Array.from({ length: 300 }, (_, i) => `${round}:${i}:`.padEnd(20 + (i % 90), 'x'));
      for (const [i, p] of payloads.entries()) batch.add(i % 2 ? 'odd' : 'even', Buffer.from(i % 2 ? 'odd' : 'even'), Buffer.from(p), 1, false, null, 'c', null, i);
      const rows = rowsOf(batch.toCopyData());
      assert.deepEqual(rows.map(([topic, , , count]) => [topic, count]), [['even', 150], ['odd', 150]]);
      assert.deepEqual(decodeBlock(rows[0][4]).map((m) => m.payload.toString()), payloads.filter((_, i) => i % 2 === 0));
      assert.deepEqual(decodeBlock(rows[1][4]).map((m) => m.payload.toString()), payloads.filter((_, i) => i % 2 === 1));
      batch.release();
      assert.equal(buffers.spareChunks, 8, `round ${round}: the chunks are kept for the next batch, up to the bound`);
    }
    // A message larger than a chunk gets a buffer of its own, never kept.
    const big = new HistoryBatch(buffers);
    big.add('t', Buffer.from('t'), Buffer.alloc(5000, 1), 0, false, null, null, null, 0);
    big.add('t', Buffer.from('t'), Buffer.alloc(3000, 2), 0, false, null, null, null, 1);
    assert.deepEqual(decodeBlock(rowsOf(big.toCopyData())[0][4]).map((m) => m.payload.length), [5000, 3000]);
  });
});
