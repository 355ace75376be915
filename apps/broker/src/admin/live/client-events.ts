import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionEvent } from '@nestmq/persistence';
import { PubSubEngine } from 'graphql-subscriptions';
import { SESSION_EVENT_RECORDER } from '../../session-events/session-events.module';
import { SessionEventRecorder } from '../../session-events/session-event-recorder';
import { ADMIN_PUBSUB, CLIENT_EVENTS } from './admin-pubsub';

/** The events `clientEvents` carries: how clients come and go, not what they subscribe to. */
const CLIENT_ACTIONS = new Set(['connect', 'connect_refused', 'disconnect', 'kicked']);

/**
 * Relays the session event recorder's connects, refusals, disconnects and kicks to `clientEvents`, as
 * they happen (they come at the rate clients connect, never per message). With SESSION_EVENTS=false
 * there is no recorder, and no client events.
 */
@Injectable()
export class ClientEventsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(SESSION_EVENT_RECORDER) private readonly recorder: SessionEventRecorder | null,
    @Inject(ADMIN_PUBSUB) private readonly pubsub: PubSubEngine,
  ) {}

  onApplicationBootstrap(): void {
    if (this.recorder === null) return;
    this.recorder.observer = (event: SessionEvent) => {
      // Called on a connection's path: whatever a subscriber does, it neither throws there nor leaves a
      // rejected promise behind to end the process.
      if (!CLIENT_ACTIONS.has(event.action)) return;
      try {
        this.pubsub.publish(CLIENT_EVENTS, event).catch(() => undefined);
      } catch {
        // A subscriber that failed misses the event; the connection goes on.
      }
    };
  }

  onApplicationShutdown(): void {
    if (this.recorder !== null) this.recorder.observer = null;
  }
}
