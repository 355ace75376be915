/** Something with output collected during this event-loop turn. */
export interface Flushable {
  flush(): void;
  /** The target's error boundary, for a write that threw. */
  failed(error: unknown): void;
}

/**
 * Collects the connections that have output during an event-loop turn and writes each once, after every
 * received chunk of the turn was handled: one write per socket per turn instead of one per packet.
 */
export class FlushScheduler {
  private dirty: Flushable[] = [];
  private scheduled = false;

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (let i = 0; i < list.length; i++) {
      try {
        list[i].flush();
      } catch (e) {
        list[i].failed(e);
      }
    }
  };
}
