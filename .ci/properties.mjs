// Prints what the property-based attack specs wrote to test-results/security: per database,
// each spec's seed and generated-request count, and the total (at least 10,000 per database).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = process.argv[2] ?? 'test-results/security';
if (!existsSync(directory)) {
  console.log(`property tests: no results in ${directory}`);
  process.exit(1);
}
const byProject = new Map();
for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
  const line = JSON.parse(readFileSync(join(directory, file), 'utf8'));
  if (!byProject.has(line.project)) byProject.set(line.project, []);
  byProject.get(line.project).push(line);
}
let ok = byProject.size > 0;
for (const [project, lines] of byProject) {
  const total = lines.reduce((sum, line) => sum + line.requests, 0);
  for (const line of lines) {
    console.log(
      `property tests on ${project}: ${line.spec} ${line.requests} requests in ${line.seconds.toFixed(1)} s, seed ${line.seed} (replay with FC_SEED=${line.seed})`,
    );
  }
  const enough = total >= 10_000;
  ok &&= enough;
  console.log(`property tests on ${project}: ${total} generated requests in all${enough ? '' : ' (FEWER THAN 10,000)'}`);
}
process.exit(ok ? 0 : 1);
