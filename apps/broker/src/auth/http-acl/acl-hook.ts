import type { BrokerStats } from '../../metrics/broker-stats';
import { AuthBackendError } from '../chain/chain-member';
import { postJson } from '../http/hook-request';
import { HookAnswers } from './hook-answers';

export interface AclHookOptions {
  url: string;
  /** Seconds the hook may take to answer. */
  timeout: number;
  /** Seconds a connection remembers an answer; 0 = never. */
  cacheTtl: number;
  /** Topics (and, apart, filters) a connection remembers answers for. */
  cacheEntries: number;
}

/** What the hook is asked: one publish or one subscription of one client. */
export interface AclQuery {
  action: 'publish' | 'subscribe';
  clientId: string;
  username: string | undefined;
  /** The topic published to, or the filter subscribed to as the client sent it (`$share/...` included). */
  topic: string;
  qos: number;
  retain: boolean;
  address: string;
}

/** Bytes of topics one connection's answers may hold, per action. */
const ANSWER_BYTES = 256 * 1024;

/**
 * The HTTP ACL hook (AUTH_HTTP_ACL_URL): each publish and subscription the broker's own policy allows is
 * POSTed as JSON, `{"action": "publish" | "subscribe", "clientId", "username", "topic", "qos", "retain",
 * "address"}` (`username` absent for an anonymous client), and the hook answers 200 with `{"result":
 * "allow" | "deny" | "ignore"}` (`ignore`: the broker's own policy alone decides, so it allows), or 401 /
 * 403 for deny. Anything else, no answer within AUTH_HTTP_ACL_TIMEOUT, or none at all throws
 * AuthBackendError: the caller refuses (fail closed) and the failure is counted.
 *
 * It narrows the broker's policy, never widens it: the broker asks only about what its rules allow.
 */
export class AclHook {
  /** The clock answers expire by (ms); a test may move it. */
  now: () => number = Date.now;

  constructor(
    readonly options: AclHookOptions,
    private readonly stats: BrokerStats,
  ) {}

  /** A connection's memory of answers, for publish or for subscribe. */
  answers(): HookAnswers {
    return new HookAnswers(this.options.cacheEntries, ANSWER_BYTES);
  }

  /** Until when an answer given now holds. */
  validUntil(): number {
    return this.now() + this.options.cacheTtl * 1000;
  }

  /** Whether the hook allows it; rejects with AuthBackendError (counted) when it cannot say, as it is when `signal` aborts. */
  async allows(query: AclQuery, signal?: AbortSignal): Promise<boolean> {
    this.stats.aclHookRequests++;
    const { action, clientId, username, topic, qos, retain, address } = query;
    const json = JSON.stringify({ action, clientId, ...(username !== undefined && { username }), topic, qos, retain, address });
    try {
      const { status, text } = await postJson(this.options.url, json, this.options.timeout, signal);
      if (status === 401 || status === 403) return false;
      if (status !== 200) throw new AuthBackendError('bad-answer', `the hook answered ${status}`);
      return parseAnswer(text);
    } catch (e) {
      if (!signal?.aborted) this.stats.aclHookFailures++;
      throw e;
    }
  }
}

function parseAnswer(text: string): boolean {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new AuthBackendError('bad-answer', 'the answer is not JSON');
  }
  const result = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).result : undefined;
  if (result === 'allow' || result === 'ignore') return true;
  if (result === 'deny') return false;
  throw new AuthBackendError('bad-answer', 'the answer has no result allow, deny or ignore');
}
