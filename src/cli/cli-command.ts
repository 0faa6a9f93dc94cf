import type { INestApplicationContext } from '@nestjs/common';

/** What a command is given: its options, and the running service's providers (except for `migrate`). */
export interface CliInvocation {
  readonly options: Readonly<Record<string, string | undefined>>;
  /** The application context; commands that need none do not get one started. */
  context(): Promise<INestApplicationContext>;
}

/** One `npm run cli -- <name>` command. Its result is printed as JSON on stdout. */
export interface CliCommand {
  readonly name: string;
  /** The options it takes, as `--name value`. */
  readonly options: readonly string[];
  readonly usage: string;
  run(invocation: CliInvocation): Promise<unknown>;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
