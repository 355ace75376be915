import { ReasonCode, isWellFormedUtf8 } from '@nestmq/mqtt-protocol';
import { createHash } from 'node:crypto';
import type { Credentials } from '../authenticator';
import { AuthBackendError, ChainMember, Verdict } from '../chain/chain-member';
import { IdentityAcl, IdentityAclError } from '../identity-acl';
import { stringList } from '../jwt/jwt-authenticator';
import { postJson } from './hook-request';

export interface HttpHookOptions {
  url: string;
  /** Seconds the hook may take to answer. */
  timeout: number;
  /** Seconds an allow is remembered; 0 = never. */
  cacheTtl: number;
  /** Allows remembered at most; the oldest go first. */
  cacheEntries: number;
  now?: () => number;
}

type Allow = Extract<Verdict, { kind: 'allow' }>;

/**
 * `http` in AUTH_CHAIN: the credentials are POSTed as JSON to AUTH_HTTP_URL
 *
 *     { "clientId", "username", "password", "address", "protocolVersion" }
 *
 * (`password` as text when it is UTF-8, else `passwordBase64`; a field the client did not send is absent)
 * and the hook answers 200 with `{ "result": "allow" | "deny" | "ignore", "username"?, "roles"?, "acl"?:
 * { "publish": [...], "subscribe": [...] }, "reason"? }`; 401 or 403 read as deny. `ignore` passes the
 * client to the next authenticator. A hook that does not answer within AUTH_HTTP_TIMEOUT, cannot be reached
 * or answers anything else refuses the CONNECT with 0x88 Server unavailable (3.1.1: 3).
 *
 * Allows are remembered for AUTH_HTTP_CACHE_TTL under a digest of everything sent, the password included,
 * so a reconnecting fleet does not ask the hook again, and a wrong password is never let in by a right
 * one's answer. Denials are never remembered: the next attempt asks again.
 */
export class HttpAuthenticator implements ChainMember {
  readonly name = 'http';
  private readonly cache = new Map<string, { until: number; verdict: Allow }>();
  private readonly now: () => number;

  constructor(private readonly options: HttpHookOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Allows remembered now. */
  get cached(): number {
    return this.cache.size;
  }

  async check(credentials: Credentials): Promise<Verdict> {
    const { clientId, username, password, remoteAddress, protocolVersion, signal } = credentials;
    const body: Record<string, unknown> = { clientId, address: remoteAddress };
    if (username !== undefined) body.username = username;
    if (password !== undefined) {
      if (isWellFormedUtf8(password)) body.password = password.toString('utf8');
      else body.passwordBase64 = password.toString('base64');
    }
    if (protocolVersion !== undefined) body.protocolVersion = protocolVersion;
    const json = JSON.stringify(body);
    const key = this.options.cacheTtl > 0 ? createHash('sha256').update(json).digest('base64') : '';
    if (key !== '') {
      const hit = this.cache.get(key);
      if (hit !== undefined && hit.until > this.now()) return { ...hit.verdict, reason: `${hit.verdict.reason} (cached)` };
      if (hit !== undefined) this.cache.delete(key);
    }
    let verdict = await this.ask(json, signal);
    // No user name in the answer: the one the client presented.
    if (verdict.kind === 'allow' && verdict.username === undefined) verdict = { ...verdict, username };
    if (verdict.kind === 'allow' && key !== '') this.remember(key, verdict);
    return verdict;
  }

  private async ask(json: string, clientSignal: AbortSignal | undefined): Promise<Verdict> {
    const { status, text } = await postJson(this.options.url, json, this.options.timeout, clientSignal);
    if (status === 401 || status === 403) return { kind: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword, reason: `hook answered ${status}` };
    if (status !== 200) throw new AuthBackendError('bad-answer', `the hook answered ${status}`);
    return parseAnswer(text);
  }

  private remember(key: string, verdict: Allow): void {
    this.cache.delete(key);
    this.cache.set(key, { until: this.now() + this.options.cacheTtl * 1000, verdict });
    while (this.cache.size > this.options.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** The hook's 200 answer; anything unreadable is the backend's fault (0x88), never an allow. */
function parseAnswer(text: string): Verdict {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new AuthBackendError('bad-answer', 'the answer is not JSON');
  }
  if (typeof answer !== 'object' || answer === null) throw new AuthBackendError('bad-answer', 'the answer is not a JSON object');
  const a = answer as Record<string, unknown>;
  const said = typeof a.reason === 'string' ? `: ${a.reason.slice(0, 200)}` : '';
  switch (a.result) {
    case 'ignore':
      return { kind: 'ignore', reason: `hook ignored${said}` };
    case 'deny':
      return { kind: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword, reason: `hook denied${said}` };
    case 'allow':
      break;
    default:
      throw new AuthBackendError('bad-answer', 'the answer has no result allow, deny or ignore');
  }
  const username = a.username;
  if (username !== undefined && username !== null && (typeof username !== 'string' || username === '' || username.includes('\0') || username.length > 65535)) {
    throw new AuthBackendError('bad-answer', 'the answer\'s username is not a user name');
  }
  let acl: IdentityAcl | undefined;
  if (a.acl !== undefined && a.acl !== null) {
    try {
      acl = IdentityAcl.parse(a.acl);
    } catch (e) {
      if (!(e instanceof IdentityAclError)) throw e;
      throw new AuthBackendError('bad-answer', e.message);
    }
  }
  const roles = stringList(a.roles);
  return { kind: 'allow', username: (username as string | undefined | null) ?? undefined, ...(roles && { roles }), ...(acl && { acl }), reason: `hook allowed${said}` };
}
