/** Dedup memory: far more than any provider's redelivery window holds for one booking. */
export const MAX_SEEN_EVENT_IDS = 1000;

/**
 * Insertion-ordered set that forgets its oldest ids past `limit`. Dedup state travels through
 * continue-as-new as a plain array, so it must stay small (well under the 256 KB payload warning).
 */
export class BoundedSet {
  private readonly items: Set<string>;
  constructor(
    initial: readonly string[],
    private readonly limit: number,
  ) {
    this.items = new Set(initial.slice(-limit));
  }
  has(id: string): boolean {
    return this.items.has(id);
  }
  add(id: string): void {
    this.items.add(id);
    if (this.items.size > this.limit) {
      const oldest = this.items.values().next();
      if (oldest.done !== true) this.items.delete(oldest.value);
    }
  }
  toArray(): string[] {
    return [...this.items];
  }
}
