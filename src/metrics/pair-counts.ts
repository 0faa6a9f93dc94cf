interface Cell {
  value: number;
}

/**
 * Counts by two label values in nested maps: once a pair has been seen,
 * counting it allocates nothing (two map lookups and an increment), which
 * keeps it off the token endpoint's hot path. Read when metrics are scraped.
 */
export class PairCounts {
  private readonly counts = new Map<string, Map<string, Cell>>();

  add(first: string, second: string): void {
    let inner = this.counts.get(first);
    if (inner === undefined) {
      inner = new Map();
      this.counts.set(first, inner);
    }
    const cell = inner.get(second);
    if (cell === undefined) inner.set(second, { value: 1 });
    else cell.value++;
  }

  forEach(visit: (first: string, second: string, value: number) => void): void {
    for (const [first, inner] of this.counts) {
      for (const [second, cell] of inner) visit(first, second, cell.value);
    }
  }
}
