/**
 * Runs changes one at a time, in the order asked: a check made by one (another admin is left, the rules
 * read back after a write) is not undone by another running beside it.
 */
export class ChangeQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(change: () => Promise<T>): Promise<T> {
    const run = this.tail.then(change, change);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
