import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { loginError } from './login';

describe('login errors', () => {
  it('says the API refusal as a sentence', () => {
    const refused = new CombinedGraphQLErrors({ errors: [{ message: 'wrong user name or password, or the user may not use the admin API', extensions: { code: 'UNAUTHENTICATED' } }] } as never);
    expect(loginError(refused)).toBe('Wrong user name or password, or the user may not use the admin API.');
  });

  it('says when the broker cannot be reached', () => {
    expect(loginError(new TypeError('Failed to fetch'))).toBe('The broker cannot be reached. Is it running?');
  });
});
