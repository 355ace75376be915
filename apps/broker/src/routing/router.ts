import { QoS, parseSharedSubscription } from '@nestmq/mqtt-protocol';
import { Session, SubscriptionRecord } from '../session/session';
import { NO_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Message } from './message';
import { RetainedStore } from './retained-store';
import { SharedGroup, Subscriber, SubscriptionTrie } from './subscription-trie';
import { TopicCache } from './topic-cache';

/**
 * Everything a topic is delivered to, worked out once per topic and cached until the subscriptions change.
 * A client with several matching subscriptions gets one copy at the highest granted QoS carrying every
 * matching Subscription Identifier (§3.3.4, the single-copy option).
 */
interface RouteEntry {
  session: Session;
  records: SubscriptionRecord[];
  qos: QoS;
  retainAsPublished: boolean;
  subscriptionIds: number[] | null;
  /** Some of the client's matching subscriptions have No Local: its own messages need a closer look. */
  someNoLocal: boolean;
}

/** A shared group as one topic's route sees it: the members that may read that topic. */
interface GroupRoute {
  group: SharedGroup;
  /** The group's own list when every member may read (no ACL); a filtered copy otherwise. */
  readers: Subscriber[];
}

interface Route {
  entries: RouteEntry[];
  groups: GroupRoute[];
}

/** The route of every topic nobody subscribes to: shared, so a flood of such topics allocates no routes. */
const NO_ROUTE: Route = { entries: [], groups: [] };
/** Members of a shared group looked at per message for one that is online and keeps up. */
const GROUP_LOOKAHEAD = 16;

/** Delivers one message to one session: the QoS machinery and the connection decide how. */
export type DeliverFn = (session: Session, message: Message, qos: QoS, retain: boolean, subscriptionIds: number[] | null) => void;

/** May this session read messages on `topic`? (The topic ACL; absent when there is none.) */
export type MayReadFn = (session: Session, topic: string) => boolean;

export class Router {
  readonly trie = new SubscriptionTrie();
  readonly retained: RetainedStore;
  /** Bounded in bytes of topic names: topics are the publishers' to choose, up to 64 KiB each. */
  private readonly routes: TopicCache<Route>;

  /** Messages to a shared group none of whose members may read their topic: delivered to nobody. */
  unreadableInGroups = 0;

  constructor(
    private deliver: DeliverFn,
    private readonly persistence: SessionPersistence = NO_PERSISTENCE,
    routeCacheBytes = 32 * 1024 * 1024,
    retainedLimits: { messages: number; bytes: number } = { messages: Infinity, bytes: Infinity },
    private mayRead: MayReadFn | null = null,
  ) {
    this.retained = new RetainedStore(persistence, retainedLimits.messages, retainedLimits.bytes);
    this.routes = new TopicCache(routeCacheBytes);
  }

  /** Switches delivery to checking reads with `mayRead` (null: no checks), from the next message on. */
  useAccess(deliver: DeliverFn, mayRead: MayReadFn | null): void {
    this.deliver = deliver;
    this.mayRead = mayRead;
  }

  /** Bytes the route cache holds, as counted against its budget. */
  get routeCacheBytes(): number {
    return this.routes.usedBytes;
  }

  /** Adds or replaces a subscription [MQTT-3.8.4-3]; true when it replaced an existing one. */
  subscribe(session: Session, record: SubscriptionRecord, persist = true): boolean {
    const existed = session.subscriptions.has(record.topicFilter);
    if (persist && session.persisted) this.persistence.subscriptionSaved(session.clientId, record);
    if (!existed) session.subscriptionBytes += Buffer.byteLength(record.topicFilter);
    session.subscriptions.set(record.topicFilter, record);
    const shared = parseSharedSubscription(record.topicFilter);
    const subscriber: Subscriber = { session, record };
    if (shared) this.trie.add(shared.filter, subscriber, shared.group);
    else this.trie.add(record.topicFilter, subscriber);
    this.routes.clear();
    return existed;
  }

  /** True when the session had that subscription. */
  unsubscribe(session: Session, topicFilter: string, persist = true): boolean {
    if (!session.subscriptions.delete(topicFilter)) return false;
    session.subscriptionBytes -= Buffer.byteLength(topicFilter);
    if (persist && session.persisted) this.persistence.subscriptionRemoved(session.clientId, topicFilter);
    const shared = parseSharedSubscription(topicFilter);
    if (shared) this.trie.remove(shared.filter, session.clientId, shared.group);
    else this.trie.remove(topicFilter, session.clientId);
    this.routes.clear();
    return true;
  }

  /** At session end: the stored session's deletion takes its subscriptions with it. */
  unsubscribeAll(session: Session): void {
    for (const filter of [...session.subscriptions.keys()]) this.unsubscribe(session, filter, false);
  }

  /**
   * Who a message on `topic` would reach: each matching subscription, a shared group's members marked with
   * its name. Reads the trie without building or caching a route: for the admin API, never the hot path.
   */
  subscribersOf(topic: string): Array<{ clientId: string; topicFilter: string; qos: QoS; sharedGroup: string | null }> {
    const match = this.trie.match(topic);
    const out = match.subscribers.map((s) => ({ clientId: s.session.clientId, topicFilter: s.record.topicFilter, qos: s.record.qos, sharedGroup: null as string | null }));
    for (const group of match.groups) {
      for (const m of group.list) out.push({ clientId: m.session.clientId, topicFilter: m.record.topicFilter, qos: m.record.qos, sharedGroup: group.group });
    }
    return out;
  }

  /** Routes a message to every matching subscription; stores it first when retained. Returns the deliveries made. */
  publish(message: Message): number {
    if (message.retain) this.retained.store(message);
    let route = this.routes.get(message.topic);
    if (route === undefined) route = this.computeRoute(message.topic);
    let count = 0;
    const entries = route.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.someNoLocal && e.session.clientId === message.publisherId) {
        count += this.deliverToOwnSubscriber(e, message);
        continue;
      }
      this.deliver(e.session, message, message.qos < e.qos ? message.qos : e.qos, e.retainAsPublished && message.retain, e.subscriptionIds);
      count++;
    }
    for (const group of route.groups) count += this.deliverToGroup(group, message);
    return count;
  }

  /** The publisher's own subscriptions, those with No Local left out [MQTT-3.8.3-3]. */
  private deliverToOwnSubscriber(e: RouteEntry, message: Message): number {
    const records = e.records.filter((r) => !r.noLocal);
    if (records.length === 0) return 0;
    const summary = summarise(records);
    this.deliver(e.session, message, Math.min(message.qos, summary.qos) as QoS, summary.retainAsPublished && message.retain, summary.subscriptionIds);
    return 1;
  }

  /**
   * One member per message, round robin among those that may read the topic [MQTT-4.8.2], preferring
   * online members with nothing queued among the next GROUP_LOOKAHEAD: a message costs the same in a group
   * of any size, however many members lag. When no member may read it, it goes to nobody, counted; it did
   * match a subscription, so the publisher is not told otherwise (no 0x10 that would reveal the ACL).
   */
  private deliverToGroup({ group, readers: members }: GroupRoute, message: Message): number {
    if (members.length === 0) {
      this.unreadableInGroups++;
      return 1;
    }
    let chosen: Subscriber | undefined;
    const lookahead = Math.min(members.length, GROUP_LOOKAHEAD);
    for (let i = 0; i < lookahead; i++) {
      const candidate = members[(group.cursor + i) % members.length];
      if (candidate.session.online && candidate.session.outbound.queued === 0) {
        chosen = candidate;
        group.cursor = (group.cursor + i + 1) % members.length;
        break;
      }
    }
    if (chosen === undefined) {
      // The members looked at are offline or lagging: the next in turn queues it.
      chosen = members[group.cursor % members.length];
      group.cursor = (group.cursor + 1) % members.length;
    }
    const r = chosen.record;
    this.deliver(chosen.session, message, Math.min(message.qos, r.qos) as QoS, r.retainAsPublished && message.retain, r.subscriptionId ? [r.subscriptionId] : null);
    return 1;
  }

  private computeRoute(topic: string): Route {
    const match = this.trie.match(topic);
    const bySession = new Map<Session, SubscriptionRecord[]>();
    for (const s of match.subscribers) {
      const list = bySession.get(s.session);
      if (list) list.push(s.record);
      else bySession.set(s.session, [s.record]);
    }
    const entries: RouteEntry[] = [];
    for (const [session, records] of bySession) {
      const summary = summarise(records);
      entries.push({ session, records, ...summary, someNoLocal: records.some((r) => r.noLocal) });
    }
    if (entries.length === 0 && match.groups.length === 0) {
      // A flood of topics nobody reads must not evict the routes of topics somebody does.
      this.routes.setIfRoom(topic, NO_ROUTE);
      return NO_ROUTE;
    }
    const mayRead = this.mayRead;
    const groups = match.groups.map((group) => ({ group, readers: mayRead === null ? group.list : group.list.filter((s) => mayRead(s.session, topic)) }));
    const route: Route = { entries, groups };
    this.routes.set(topic, route);
    return route;
  }
}

function summarise(records: SubscriptionRecord[]): { qos: QoS; retainAsPublished: boolean; subscriptionIds: number[] | null } {
  let qos: QoS = 0;
  let retainAsPublished = false;
  let ids: number[] | null = null;
  for (const r of records) {
    if (r.qos > qos) qos = r.qos;
    if (r.retainAsPublished) retainAsPublished = true;
    if (r.subscriptionId > 0) (ids ??= []).push(r.subscriptionId);
  }
  return { qos, retainAsPublished, subscriptionIds: ids };
}
