/**
 * The unit spec files share their worker's process (isolate: false in vitest.config.ts):
 * what one file changes process-wide is put back when it ends, so that the next file
 * starts as if it were alone: Nest's static logger (a spec may silence it or record what
 * it logs) and real timers.
 */
import { ConsoleLogger, Logger } from '@nestjs/common';

afterAll(() => {
  Logger.overrideLogger(new ConsoleLogger());
  vi.useRealTimers();
});
