import type { INestApplicationContext } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { validateConfiguration } from '../config/app-config.module.js';
import { InvalidEnvironmentError } from '../config/environment.js';
import { ProblemError } from '../common/problem/problem.error.js';
import { CliUsageError, type CliCommand } from './cli-command.js';
import { CLI_COMMANDS } from './commands/index.js';

/**
 * The operations CLI: `npm run -s cli -- <command> [--option value]`. It
 * reads the same environment as the service, works on the same database,
 * prints its result as JSON on stdout and everything else on stderr.
 * Exit codes: 0 done, 1 refused or failed, 2 called wrongly.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = CLI_COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const usage = CLI_COMMANDS.map((each) => `  ${each.usage}`).join('\n');
    process.stderr.write(
      `${name === undefined || name === 'help' ? '' : `unknown command "${name}"\n`}usage: npm run -s cli -- <command>\n${usage}\n`,
    );
    return name === undefined || name === 'help' ? 0 : 2;
  }
  let context: INestApplicationContext | undefined;
  try {
    const options = parseOptions(command, rest);
    validateConfiguration();
    const result = await command.run({
      options,
      context: async () => (context ??= await startContext()),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    return report(error);
  } finally {
    await context?.close();
  }
}

function parseOptions(command: CliCommand, args: string[]): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(command.options.map((option) => [option, { type: 'string' }])),
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | undefined>;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\nusage: ${command.usage}`);
  }
}

/** The whole service as a Nest application context (no HTTP): same modules, same rules as the admin API. */
async function startContext(): Promise<INestApplicationContext> {
  const [{ NestFactory }, { AppModule }, { StderrLogger }] = await Promise.all([
    import('@nestjs/core'),
    import('../app.module.js'),
    import('./stderr-logger.js'),
  ]);
  return NestFactory.createApplicationContext(AppModule.forRoot(), {
    logger: new StderrLogger({ logLevels: ['warn', 'error', 'fatal'] }),
    abortOnError: false,
  });
}

function report(error: unknown): number {
  if (error instanceof CliUsageError || error instanceof InvalidEnvironmentError) {
    process.stderr.write(`${error.message}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
  if (error instanceof ProblemError) {
    const problem = {
      title: error.title,
      status: error.status,
      detail: error.detail,
      errors: error.errors,
    };
    process.stderr.write(`${JSON.stringify(problem, null, 2)}\n`);
    return 1;
  }
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
