import type { TokensFragment } from '../../graphql/generated';

/** What a login keeps in the browser so that it survives a reload: the tokens and who signed in. */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  username: string;
  role: 'admin' | 'viewer';
}

const KEY = 'nestmq.session';

export function toStoredSession(tokens: TokensFragment): StoredSession {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.parse(tokens.expiresAt),
    username: tokens.account.username,
    role: tokens.account.role,
  };
}

export function readStoredSession(storage: Storage | undefined = globalThis.localStorage): StoredSession | null {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof value.accessToken !== 'string' || typeof value.refreshToken !== 'string' || typeof value.expiresAt !== 'number') return null;
    if (typeof value.username !== 'string' || (value.role !== 'admin' && value.role !== 'viewer')) return null;
    return value as StoredSession;
  } catch {
    return null;
  }
}

export function writeStoredSession(session: StoredSession | null, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    if (session === null) storage?.removeItem(KEY);
    else storage?.setItem(KEY, JSON.stringify(session));
  } catch {
    // Storage full or blocked: the session then lasts as long as the page.
  }
}

export const SESSION_STORAGE_KEY = KEY;
