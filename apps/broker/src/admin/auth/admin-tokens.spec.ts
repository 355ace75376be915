import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { AdminTokens } from './admin-tokens';

describe('AdminTokens', () => {
  const tokens = AdminTokens.fromSecret('an-admin-token-secret-of-32-chars!!');

  it('carries the grant of a single sign-on login in its refresh token, and nothing for a password login', async () => {
    const sso = await tokens.refresh('oidc:alice', { session: 's1', refreshId: 'r1', grant: { role: 'viewer', until: 2_000_000_000 } });
    assert.deepEqual(await tokens.verifyRefresh(sso), { username: 'oidc:alice', session: 's1', refreshId: 'r1', grant: { role: 'viewer', until: 2_000_000_000 } });
    const local = await tokens.refresh('admin', { session: 's2', refreshId: 'r2' });
    assert.deepEqual(await tokens.verifyRefresh(local), { username: 'admin', session: 's2', refreshId: 'r2' });
  });

  it('does not take a refresh token for an access token', async () => {
    const refresh = await tokens.refresh('oidc:alice', { session: 's1', refreshId: 'r1', grant: { role: 'admin', until: 2_000_000_000 } });
    await assert.rejects(tokens.verifyAccess(refresh), /not an access token/);
  });
});
