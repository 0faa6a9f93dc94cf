import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** Whether this machine can start a PostgreSQL cluster of a test's own. */
export const canRunPrivatePostgres = existsSync(join(BIN, 'initdb'));

/**
 * A PostgreSQL cluster of one test file's own (initdb in a temporary
 * directory, its own port and socket directory), so that it can be stopped
 * and started without touching the machine's shared server. As root, the
 * binaries run as the `postgres` OS user, as PostgreSQL requires.
 */
export class PrivatePostgres {
  private constructor(
    private readonly directory: string,
    readonly port: number,
  ) {}

  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PrivatePostgres> {
    const directory = mkdtempSync(join(tmpdir(), 'identity-pg-'));
    const cluster = new PrivatePostgres(directory, await freePort());
    mkdirSync(join(directory, 'socket'));
    if (process.getuid?.() === 0) {
      const owner = (flag: string) =>
        Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      const [uid, gid] = [owner('-u'), owner('-g')];
      chownSync(directory, uid, gid);
      chownSync(join(directory, 'socket'), uid, gid);
    }
    cluster.run('initdb', [
      '-D',
      join(directory, 'data'),
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '--no-instructions',
    ]);
    cluster.start();
    return cluster;
  }

  start(): void {
    const options = [
      `-p ${this.port}`,
      `-k ${join(this.directory, 'socket')}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
    ].join(' ');
    this.run('pg_ctl', [
      '-D',
      join(this.directory, 'data'),
      '-l',
      join(this.directory, 'server.log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
  }

  /** Stops the server at once (fast mode: sessions are ended, as when a database goes away). */
  stop(): void {
    this.run('pg_ctl', ['-D', join(this.directory, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.run('pg_ctl', ['-D', join(this.directory, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  private run(program: string, args: string[]): void {
    const command = join(BIN, program);
    const [file, argv] =
      process.getuid?.() === 0
        ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
        : [command, args];
    execFileSync(file, argv, { cwd: this.directory, stdio: 'pipe', timeout: 60_000 });
  }
}
