import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { identityOf, subjectAltNames } from './certificate-identity';

describe('certificate identity', () => {
  it('reads Node\'s subjectaltname text, quoted values included, so one name never passes for two', () => {
    assert.deepEqual(subjectAltNames('DNS:a.example, email:b@example, URI:spiffe://c/d'), [
      { type: 'DNS', value: 'a.example' },
      { type: 'email', value: 'b@example' },
      { type: 'URI', value: 'spiffe://c/d' },
    ]);
    assert.deepEqual(subjectAltNames('DNS:"a.example, DNS:evil", email:x@y'), [
      { type: 'DNS', value: 'a.example, DNS:evil' },
      { type: 'email', value: 'x@y' },
    ]);
    assert.deepEqual(subjectAltNames('URI:"say \\"hi\\""'), [{ type: 'URI', value: 'say "hi"' }]);
    assert.deepEqual(subjectAltNames(''), []);
  });

  it('takes the Common Name, or the first SAN of the kind asked, and nothing ambiguous or unusable', () => {
    const cert = { subject: { CN: 'device-1', O: 'Plant' }, subjectaltname: 'DNS:one.example, DNS:two.example, email:d@example' } as never;
    assert.equal(identityOf(cert, 'cn'), 'device-1');
    assert.equal(identityOf(cert, 'san-dns'), 'one.example');
    assert.equal(identityOf(cert, 'san-email'), 'd@example');
    assert.equal(identityOf(cert, 'san-uri'), undefined);
    assert.equal(identityOf({ subject: { CN: ['a', 'b'] } } as never, 'cn'), undefined, 'two Common Names');
    assert.equal(identityOf({ subject: { CN: '' } } as never, 'cn'), undefined);
    assert.equal(identityOf({ subject: { CN: 'a\0b' } } as never, 'cn'), undefined, 'U+0000 [MQTT-1.5.4-2]');
    assert.equal(identityOf({ subject: { O: 'Plant' } } as never, 'cn'), undefined);
  });
});
