import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * How busy the event loop has been lately: the share of the last sampling
 * interval it spent running JavaScript rather than waiting (Node's event
 * loop utilization, 0 to 1). Sampled on a timer rather than per call, so
 * asking costs nothing on a hot path.
 */
export class EventLoopLoad {
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private latest = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** The utilization of the last complete interval. */
  get utilization(): number {
    return this.latest;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.eventLoopUtilization();
    this.latest = performance.eventLoopUtilization(now, this.last).utilization;
    this.last = now;
  }
}
