import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NavigationEnd, Router, provideRouter } from '@angular/router';
import { filter, firstValueFrom } from 'rxjs';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { AuthService } from '../../core/auth/auth.service';
import { SsoCallbackPage } from './sso-callback';

@Component({ template: '' })
class Blank {}

describe('single sign-on callback page', () => {
  async function land(code: string | undefined, exchange: (code: string) => Promise<void>) {
    const endedReason = signal<string | null>(null);
    const traded: string[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: '', component: Blank },
          { path: 'login', component: Blank },
          { path: 'login/sso', component: Blank },
        ]),
        { provide: AuthService, useValue: { endedReason, signInWithCode: (c: string) => (traded.push(c), exchange(c)) } },
      ],
    });
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/login/sso');
    const landed = firstValueFrom(router.events.pipe(filter((e) => e instanceof NavigationEnd)));
    const fixture = TestBed.createComponent(SsoCallbackPage);
    if (code !== undefined) fixture.componentRef.setInput('code', code);
    fixture.detectChanges();
    await landed;
    return { url: router.url, traded, endedReason: endedReason() };
  }

  it('trades the code and lands on the dashboard', async () => {
    const { url, traded, endedReason } = await land('one-time-code', () => Promise.resolve());
    expect(traded).toEqual(['one-time-code']);
    expect(url).toBe('/');
    expect(endedReason).toBeNull();
  });

  it('goes back to the login page saying why when the code is refused', async () => {
    const refused = new CombinedGraphQLErrors({ errors: [{ message: 'the sign-in code is not valid, has expired or was already used; sign in again', extensions: { code: 'UNAUTHENTICATED' } }] } as never);
    const { url, endedReason } = await land('spent', () => Promise.reject(refused));
    expect(url).toBe('/login');
    expect(endedReason).toBe('The sign-in code is not valid, has expired or was already used; sign in again.');
  });

  it('does not call the broker without a code', async () => {
    const { url, traded, endedReason } = await land(undefined, () => Promise.resolve());
    expect(traded).toEqual([]);
    expect(url).toBe('/login');
    expect(endedReason).toBe('That sign-in link has no code. Start again.');
  });
});
