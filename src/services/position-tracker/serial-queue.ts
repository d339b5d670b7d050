/**
 * Runs async tasks one at a time, in the order they were queued. Every change to the tracker's
 * ledger and every snapshot write goes through one queue: a settlement that awaits its XADD can
 * never have a trade slip in between, which is what keeps the log's order the state's order.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(task);
    // The chain continues whatever this task did; its caller sees its own outcome.
    this.tail = result.then(
      () => this.depth--,
      () => this.depth--,
    );
    return result;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.depth;
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
