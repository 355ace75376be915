import { readStoredSession, toStoredSession, writeStoredSession } from './session-store';

describe('session store', () => {
  beforeEach(() => localStorage.clear());

  it('keeps a login across reloads and forgets it on sign-out', () => {
    const session = toStoredSession({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: '2030-01-01T00:00:00.000Z',
      account: { username: 'admin', role: 'admin' },
    });
    expect(session.expiresAt).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    writeStoredSession(session);
    expect(readStoredSession()).toEqual(session);
    writeStoredSession(null);
    expect(readStoredSession()).toBeNull();
  });

  it('ignores what it did not write', () => {
    localStorage.setItem('nestmq.session', '{"accessToken":1}');
    expect(readStoredSession()).toBeNull();
    localStorage.setItem('nestmq.session', 'not json');
    expect(readStoredSession()).toBeNull();
  });
});
