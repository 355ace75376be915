import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { escapeDnValue, escapeFilterValue, fillTemplate, normalizeDn } from './ldap-escape';

describe('escaping a user name for a DN (RFC 4514) and a filter (RFC 4515)', () => {
  it('escapes what would end the value or start another RDN in a DN', () => {
    assert.equal(escapeDnValue('alice'), 'alice');
    assert.equal(escapeDnValue('alice,ou=admins'), 'alice\\,ou\\=admins');
    assert.equal(escapeDnValue('a+b;c<d>e"f\\g'), 'a\\+b\\;c\\<d\\>e\\"f\\\\g');
    assert.equal(escapeDnValue(' #lead'), '\\ #lead');
    assert.equal(escapeDnValue('#x'), '\\#x');
    assert.equal(escapeDnValue('trail '), 'trail\\ ');
    assert.equal(escapeDnValue('nul\0'), 'nul\\00');
    assert.equal(escapeDnValue('grüße'), 'grüße');
  });

  it('hex-escapes the five special characters of a filter value, and nothing else', () => {
    assert.equal(escapeFilterValue('*'), '\\2a');
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('a\\b'), 'a\\5cb');
    assert.equal(escapeFilterValue('nul\0'), 'nul\\00');
    assert.equal(escapeFilterValue('grüße,x'), 'grüße,x');
  });

  it('fills %u and %d, and reads %% as a percent sign', () => {
    assert.equal(fillTemplate('(&(uid=%u)(member=%d)(x=100%%))', { u: 'a', d: 'b' }), '(&(uid=a)(member=b)(x=100%))');
  });

  it('normalizes DNs so two spellings of one name compare equal, and refuses what is not a DN', () => {
    assert.equal(normalizeDn('CN=Ops, OU=Groups,DC=example,DC=org'), 'cn=ops,ou=groups,dc=example,dc=org');
    assert.equal(normalizeDn('cn=a\\2cb,dc=x'), normalizeDn('cn=a\\,b,dc=x'));
    assert.equal(normalizeDn('cn=b+uid=a,dc=x'), normalizeDn('uid=a+cn=b,dc=x'));
    assert.equal(normalizeDn('cn=gr\\c3\\bc\\c3\\9fe,dc=x'), 'cn=grüße,dc=x');
    for (const bad of ['', 'ops', 'cn=', '=x', 'cn=a,,dc=x', 'cn=a,dc=x\\']) assert.equal(normalizeDn(bad), undefined, bad);
  });
});
