import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { BinaryCopyWriter, COPY_HEADER } from './binary-copy';

/** The bytes of the one field written after the header and the row's field count. */
function field(write: (w: BinaryCopyWriter) => void, initialBytes?: number): Buffer {
  const w = new BinaryCopyWriter(initialBytes);
  write(w.row(1));
  const data = w.toBuffer();
  assert.deepEqual(data.subarray(0, COPY_HEADER.length), COPY_HEADER);
  assert.deepEqual(data.subarray(data.length - 2), Buffer.from([0xff, 0xff]), 'trailer');
  assert.equal(data.readInt16BE(COPY_HEADER.length), 1, 'field count');
  return data.subarray(COPY_HEADER.length + 2, data.length - 2);
}

describe('BinaryCopyWriter', () => {
  it('writes jsonb as a version byte 1 then the text, the length counting both', () => {
    const bytes = field((w) => w.jsonb('{"a":1}'));
    assert.equal(bytes.readInt32BE(0), 8);
    assert.equal(bytes[4], 1);
    assert.equal(bytes.subarray(5).toString('utf8'), '{"a":1}');
  });

  it('counts jsonb length in UTF-8 bytes, not characters', () => {
    const json = JSON.stringify({ name: 'ünï ✓ 😀' });
    const bytes = field((w) => w.jsonb(json));
    assert.equal(bytes.readInt32BE(0), Buffer.byteLength(json) + 1);
    assert.equal(bytes.subarray(5).toString('utf8'), json);
  });

  it('writes a null jsonb as length -1', () => {
    assert.deepEqual(field((w) => w.jsonb(null)), Buffer.from([0xff, 0xff, 0xff, 0xff]));
  });

  it('grows its buffer for a jsonb larger than it', () => {
    const json = JSON.stringify({ topics: Array.from({ length: 2000 }, (_, i) => `t/${i}`) });
    const bytes = field((w) => w.jsonb(json), 64);
    assert.equal(bytes.subarray(5).toString('utf8'), json);
  });
});
