// Where a .cpuprofile (node --cpu-prof, or BENCH_CPU_PROF=1 npm run bench)
// spent its time: self time by function and by package.
//
//   node bench/profile-summary.mjs bench/results/profiles/CPU.….cpuprofile [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Self time per node: samples × the interval they stand for.
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + delta);
}
const idleIds = new Set(
  profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id),
);
let idle = 0;
let total = 0;
for (const [id, micros] of selfMicros) {
  if (idleIds.has(id)) idle += micros;
  else total += micros;
}

function packageOf(url) {
  if (url === '') return '(native: V8, GC, crypto, I/O)';
  if (url.startsWith('node:')) return 'node: core';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.includes('/dist/src/')) return `service: ${url.split('/dist/src/')[1].split('/')[0]}`;
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map();
const byPackage = new Map();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0 || idleIds.has(node.id)) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}`
    : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}

const percent = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title, map, limit) => {
  console.log(`\n${title}`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`  ${percent(micros)}  ${key}`);
  }
};
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle; shares are of the busy time`,
);
print('self time by package', byPackage, 25);
print('self time by function', byFunction, top);
