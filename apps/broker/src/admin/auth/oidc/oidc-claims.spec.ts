import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { ClaimMapping, claimAt, roleOfClaims, userNameOfClaims } from './oidc-claims';

const mapping: ClaimMapping = { usernameClaim: 'preferred_username', roleClaim: 'groups', adminValues: ['mqtt-admins'], viewerValues: ['mqtt-viewers', 'ops'] };

describe('OpenID Connect claims', () => {
  it('reads a claim by name, else by a dotted path', () => {
    assert.deepEqual(claimAt({ realm_access: { roles: ['a'] } }, 'realm_access.roles'), ['a']);
    assert.deepEqual(claimAt({ 'https://x.example/roles': ['b'] }, 'https://x.example/roles'), ['b']);
    assert.equal(claimAt({ a: 'text' }, 'a.b'), undefined);
  });

  it('maps the role claim to admin, then viewer, else no role', () => {
    assert.equal(roleOfClaims({ groups: ['ops', 'mqtt-admins'] }, mapping), 'admin');
    assert.equal(roleOfClaims({ groups: ['ops'] }, mapping), 'viewer');
    assert.equal(roleOfClaims({ groups: 'mqtt-viewers' }, mapping), 'viewer');
    assert.equal(roleOfClaims({ groups: ['staff'] }, mapping), undefined);
    assert.equal(roleOfClaims({}, mapping), undefined);
    assert.equal(roleOfClaims({ groups: [{ name: 'mqtt-admins' }] }, mapping), undefined);
  });

  it('names the user oidc:<preferred_username>, or oidc:<sub> without it', () => {
    assert.equal(userNameOfClaims({ sub: '1234', preferred_username: 'alice' }, mapping), 'oidc:alice');
    assert.equal(userNameOfClaims({ sub: '1234' }, mapping), 'oidc:1234');
    assert.equal(userNameOfClaims({ sub: '1234', preferred_username: ['x'] }, mapping), 'oidc:1234');
  });
});
