import { readFile } from 'node:fs/promises';
import { CliUsageError } from './cli-command.js';

/** The JSON document of `--file PATH` (`-` reads standard input), so that no secret sits in argv. */
export async function readJsonInput(path: string | undefined): Promise<unknown> {
  if (path === undefined) throw new CliUsageError('--file is required (a path, or - for stdin)');
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
