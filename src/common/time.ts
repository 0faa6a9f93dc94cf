/** Seconds since the epoch, as JWT claims count time. */
export function epochSeconds(now: number = Date.now()): number {
  return Math.floor(now / 1000);
}
