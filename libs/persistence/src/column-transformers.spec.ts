import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { bigintAsNumber, bytesAsBuffer } from './column-transformers';

describe('bigintAsNumber', () => {
  it('reads the string pg returns as a number, and null as null', () => {
    assert.equal(bigintAsNumber.from('4294967295'), 4294967295);
    assert.equal(bigintAsNumber.from(null), null);
    assert.equal(bigintAsNumber.to(7), 7);
  });

  it('refuses a value a double cannot hold exactly instead of rounding it', () => {
    assert.equal(bigintAsNumber.from('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.throws(() => bigintAsNumber.from('9007199254740993'), RangeError);
  });
});

describe('bytesAsBuffer', () => {
  it('turns the Uint8Array of the embedded database into a Buffer over the same bytes', () => {
    const bytes = new Uint8Array([0, 104, 105, 0]).subarray(1, 3);
    const buffer = bytesAsBuffer.from(bytes) as Buffer;
    assert.ok(Buffer.isBuffer(buffer));
    assert.equal(buffer.toString(), 'hi');
    assert.equal(buffer.buffer, bytes.buffer);
  });

  it('passes a Buffer from pg, and null, through', () => {
    const buffer = Buffer.from('x');
    assert.equal(bytesAsBuffer.from(buffer), buffer);
    assert.equal(bytesAsBuffer.from(null), null);
  });
});
