/**
 * Collects what is added during one turn of the event loop and hands it
 * over in one piece when the turn ends (setImmediate): the group commit of
 * the grant store, the user lookups on PostgreSQL and the batches of the
 * signing pool. Whatever comes in the next turn starts a new batch.
 */
export class PerTurnBatch<T> {
  private items: T[] = [];

  constructor(private readonly flush: (items: T[]) => void) {}

  add(item: T): void {
    if (this.items.push(item) === 1) setImmediate(() => this.handOver());
  }

  private handOver(): void {
    const items = this.items;
    this.items = [];
    this.flush(items);
  }
}
