import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { LoginDocument, LogoutDocument, OidcSignInDocument, RefreshTokenDocument } from '../../graphql/generated';
import { errorCode } from '../graphql/errors';
import { postGraphQL } from '../graphql/post-graphql';
import { SESSION_STORAGE_KEY, StoredSession, readStoredSession, toStoredSession, writeStoredSession } from './session-store';

/** Refresh this long before the access token expires (tokens last 15 minutes). */
export const REFRESH_MARGIN_MS = 60_000;
/** After a failed refresh that did not end the login (the broker was away), try again this much later. */
const RETRY_MS = 5_000;

/**
 * The admin's login: tokens in a signal (and in localStorage, so a reload keeps the login), refreshed
 * before they expire with the single-use refresh token, one refresh at a time across tabs.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly router = inject(Router);
  private readonly state = signal<StoredSession | null>(readStoredSession());
  private refreshing: Promise<StoredSession | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  readonly session = this.state.asReadonly();
  readonly signedIn = computed(() => this.state() !== null);
  readonly username = computed(() => this.state()?.username ?? '');
  readonly role = computed(() => this.state()?.role ?? null);
  /** Whether edit controls are shown: the viewer role only reads. */
  readonly canEdit = computed(() => this.state()?.role === 'admin');
  /** Why the last login ended without the user signing out, for the login page to say. */
  readonly endedReason = signal<string | null>(null);

  constructor() {
    this.schedule(this.state());
    // Another tab refreshed or signed out: take its tokens, so the two never spend one refresh token twice.
    globalThis.addEventListener?.('storage', (event: StorageEvent) => {
      if (event.key !== SESSION_STORAGE_KEY) return;
      const stored = readStoredSession();
      this.set(stored, false);
      if (stored === null) void this.router.navigateByUrl('/login');
    });
  }

  async login(username: string, password: string): Promise<void> {
    const data = await postGraphQL(LoginDocument, { username, password });
    this.endedReason.set(null);
    this.set(toStoredSession(data.login));
  }

  /** Signs in with the one-time code a single sign-on ended with (/login/sso?code=...). */
  async signInWithCode(code: string): Promise<void> {
    const data = await postGraphQL(OidcSignInDocument, { code });
    this.endedReason.set(null);
    this.set(toStoredSession(data.oidcSignIn));
  }

  async logout(): Promise<void> {
    const session = this.state();
    this.set(null);
    await this.router.navigateByUrl('/login');
    if (session) await postGraphQL(LogoutDocument, {}, session.accessToken).catch(() => undefined);
  }

  /** An access token valid for a while yet, refreshed first if it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const session = this.state();
    if (session === null) return null;
    if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS / 2) return session.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** The API refused the access token (revoked, login ended elsewhere): refresh, or sign out if that fails. */
  async rejected(token?: string): Promise<void> {
    const session = this.state();
    // A token already replaced (the socket's, after a refresh) says nothing about the current one.
    if (session === null || (token !== undefined && token !== session.accessToken)) return;
    // Make the token look spent so that refresh() does not hand the same one back.
    await this.refresh(true);
  }

  /** New tokens for the refresh token; one refresh at a time, in this tab and across tabs. */
  refresh(force = false): Promise<StoredSession | null> {
    this.refreshing ??= this.withLock(() => this.doRefresh(force)).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(force: boolean): Promise<StoredSession | null> {
    const current = this.state();
    if (current === null) return null;
    // Another tab may have refreshed while this one waited for the lock.
    const stored = readStoredSession();
    if (stored && stored.refreshToken !== current.refreshToken && stored.expiresAt - Date.now() > REFRESH_MARGIN_MS / 2) {
      this.set(stored, false);
      return stored;
    }
    if (!force && current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current;
    try {
      const data = await postGraphQL(RefreshTokenDocument, { token: current.refreshToken });
      const next = toStoredSession(data.refreshToken);
      this.set(next);
      return next;
    } catch (e) {
      if (errorCode(e) !== undefined) {
        this.end('Your login has ended. Sign in again.');
        return null;
      }
      // The broker is away: keep the login and try again shortly.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refresh(), RETRY_MS);
      return current;
    }
  }

  private end(reason: string): void {
    this.set(null);
    this.endedReason.set(reason);
    void this.router.navigateByUrl('/login');
  }

  private set(session: StoredSession | null, store = true): void {
    this.state.set(session);
    if (store) writeStoredSession(session);
    this.schedule(session);
  }

  private schedule(session: StoredSession | null): void {
    clearTimeout(this.timer);
    if (session === null) return;
    const due = Math.max(0, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => void this.refresh(), due);
  }

  private withLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    return locks ? (locks.request('nestmq.refresh', work) as unknown as Promise<T>) : work();
  }
}
