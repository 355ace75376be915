import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SignInMethods, SsoMethod } from '../../core/auth/sign-in-methods';
import { LoginPage, loginError } from './login';

describe('login errors', () => {
  it('says the API refusal as a sentence', () => {
    const refused = new CombinedGraphQLErrors({ errors: [{ message: 'wrong user name or password, or the user may not use the admin API', extensions: { code: 'UNAUTHENTICATED' } }] } as never);
    expect(loginError(refused)).toBe('Wrong user name or password, or the user may not use the admin API.');
  });

  it('says when the broker cannot be reached', () => {
    expect(loginError(new TypeError('Failed to fetch'))).toBe('The broker cannot be reached. Is it running?');
  });
});

describe('login page: single sign-on', () => {
  async function render(sso: SsoMethod | null, ssoError?: string): Promise<HTMLElement> {
    TestBed.configureTestingModule({ providers: [provideRouter([]), { provide: SignInMethods, useValue: { sso: () => Promise.resolve(sso) } }] });
    const fixture = TestBed.createComponent(LoginPage);
    if (ssoError !== undefined) fixture.componentRef.setInput('sso_error', ssoError);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows "Sign in with <label>" linking to the broker when single sign-on is offered', async () => {
    const page = await render({ label: 'Keycloak', loginUrl: '/api/v1/auth/oidc/login' });
    const button = page.querySelector<HTMLAnchorElement>('[data-testid="sso-sign-in"]');
    expect(button?.textContent?.trim()).toBe('Sign in with Keycloak');
    expect(button?.getAttribute('href')).toBe('/api/v1/auth/oidc/login');
  });

  it('shows no such button when it is not', async () => {
    const page = await render(null);
    expect(page.querySelector('[data-testid="sso-sign-in"]')).toBeNull();
    expect(page.textContent).not.toContain('Sign in with');
  });

  it("says why a single sign-on came back refused, in the page's own words", async () => {
    const page = await render({ label: 'Keycloak', loginUrl: '/api/v1/auth/oidc/login' }, 'no_role');
    expect(page.querySelector('[role="alert"]')?.textContent?.trim()).toBe('Your Keycloak account has neither the admin nor the viewer role on this broker. Ask an administrator to grant you one.');
  });

  it('shows no text of the address: an unknown code reads as a plain failure', async () => {
    const page = await render(null, 'Your account is locked, call +1 555 0100');
    expect(page.querySelector('[role="alert"]')?.textContent?.trim()).toBe('Single sign-on did not complete. Try again.');
  });
});
