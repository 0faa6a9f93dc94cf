// Prints Vitest's JSON report as the closing line CI reads: "tests: N passed, M failed".
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
    (skipped > 0 ? `, ${skipped} skipped` : ''),
);
process.exit(report.numFailedTests === 0 && report.numTotalTests > 0 ? 0 : 1);
