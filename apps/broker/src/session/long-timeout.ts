/** setTimeout holds at most 2^31-1 ms (24.8 days); expiry and will delays go up to 2^32-1 seconds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timeout of any length, re-armed in steps; unref'd so it never keeps the process alive. */
export class LongTimeout {
  private timer: NodeJS.Timeout | undefined;

  constructor(callback: () => void, delayMs: number) {
    this.arm(callback, Date.now() + delayMs);
  }

  private arm(callback: () => void, at: number): void {
    const left = at - Date.now();
    this.timer = setTimeout(() => (at - Date.now() > 0 && left > MAX_TIMER_MS ? this.arm(callback, at) : callback()), Math.min(Math.max(left, 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
