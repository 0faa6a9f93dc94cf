// Child processes of the benchmark: the build, the three servers, the load runs.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** The newest modification time under a directory (0 when it does not exist). */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the service with `nest build` when dist/ is missing or older than src/. */
export function ensureBuilt(root) {
  const main = path.join(root, 'dist/src/main.js');
  let built = 0;
  try {
    built = statSync(main).mtimeMs;
  } catch {
    built = 0;
  }
  if (built > 0 && built >= newestMtime(path.join(root, 'src'))) return false;
  console.log('building the service (npx nest build)…');
  execFileSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
  return true;
}

/**
 * The Node flags `npm run start:prod` gives the service (package.json), so
 * that the benchmark measures the service as it is run.
 */
export function serviceNodeFlags(root) {
  const script = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts[
    'start:prod'
  ];
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/src\/main\.js$/.exec(script ?? '');
  if (match === null)
    throw new Error(`start:prod is not "node [--flag…] dist/src/main.js": ${script}`);
  return match[1].split(' ').filter(Boolean);
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const started = new Set();

/**
 * Starts a long-running child (a server) with its output in a log file.
 * Exiting before stopAll() is an error of the benchmark.
 */
export function startServer(name, args, { env, cwd, logFile }) {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', log, log] });
  const entry = { name, child, stopping: false, logFile };
  started.add(entry);
  child.on('exit', (code, signal) => {
    started.delete(entry);
    if (!entry.stopping) {
      console.error(`\n${name} exited unexpectedly (code ${code}, signal ${signal}); its log:`);
      try {
        console.error(readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'));
      } catch {
        // no log
      }
      stopAll().finally(() => process.exit(1));
    }
  });
  return child;
}

/** Stops every server this process started (by pid), waiting up to 10 s for each. */
export async function stopAll() {
  await Promise.all(
    [...started].map(
      (entry) =>
        new Promise((resolve) => {
          entry.stopping = true;
          if (entry.child.exitCode !== null || entry.child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            entry.child.kill('SIGKILL');
          }, 10_000);
          entry.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          entry.child.kill('SIGTERM');
        }),
    ),
  );
}

/** Waits until GET url answers 200. */
export async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resident set size of a process in MiB (Linux), or undefined. */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process has used so far, all its threads, in microseconds
 * (utime + stime of /proc/PID/stat, in clock ticks of 10 ms); undefined
 * where /proc is not there.
 */
export function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** Runs a script (bench/load.mjs, bench/primitives.mjs) to completion; resolves with the JSON it prints. */
export function runJson(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} failed (exit ${code}): ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (error) {
        reject(new Error(`${script} printed no result: ${out} ${err} (${error})`));
      }
    });
  });
}
