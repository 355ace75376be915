import { ssoFailure } from './sign-in-methods';

describe('single sign-on failures', () => {
  it('says each code of the broker in words, naming the provider', () => {
    expect(ssoFailure('cancelled', 'Entra')).toBe('The sign-in with Entra was cancelled.');
    expect(ssoFailure('expired', 'Entra')).toBe('That sign-in expired or was already used. Start again.');
    expect(ssoFailure('unavailable', 'Entra')).toBe('Entra cannot be reached right now. Try again later, or sign in with your password.');
    expect(ssoFailure('rejected', 'Entra')).toContain('could not be verified');
    expect(ssoFailure('provider_error', 'Entra')).toContain('Entra could not sign you in');
    expect(ssoFailure('no_role', 'Entra')).toContain('neither the admin nor the viewer role');
  });
});
