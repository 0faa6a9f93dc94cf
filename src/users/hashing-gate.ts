/**
 * Admits slow hashing work (argon2id, on HashingThreads) at most
 * `limit()` at a time, first come first served; the rest wait in order.
 * The limit is asked again whenever a slot frees, so it can follow the
 * machine's load.
 */
export class HashingGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: () => number) {}

  /** Computations running now, and waiting for a slot. */
  get counts(): { readonly active: number; readonly waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // Admitted by admit(), which counts the slot before handing it over.
    const admitted = new Promise<void>((admit) => this.waiting.push(admit));
    this.admit();
    await admitted;
    try {
      return await work();
    } finally {
      this.active--;
      this.admit();
    }
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.active < this.limit()) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
