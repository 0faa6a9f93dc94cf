// Medians of the timed runs, and the table that npm run bench prints and the README carries.

const PEER_NAMES = {
  'oidc-provider': 'oidc-provider',
  ceiling: 'ceiling (Fastify + jose)',
  'rs256-sign': 'RS256 signatures/s, 1 core (raw)',
  'argon2id-verify': 'argon2id verifications/s (raw)',
};

function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A server's figures in one scenario: medians of its timed runs, errors of every run including the warm-up. */
function figures(outcome) {
  if (outcome === undefined) return undefined;
  const all = [outcome.warmup, ...outcome.runs].filter(Boolean);
  const errors = all.reduce(
    (sum, run) => sum + run.non2xx + run.connectionErrors + run.timeouts + run.invalid,
    0,
  );
  return {
    requestsPerSecond: median(outcome.runs.map((run) => run.requestsPerSecond)),
    p50: median(outcome.runs.map((run) => run.latency.p50).filter((value) => value !== undefined)),
    p99: median(outcome.runs.map((run) => run.latency.p99).filter((value) => value !== undefined)),
    errors: errors + (outcome.problem === undefined ? 0 : 1),
    problem: outcome.problem,
    rssMaxMiB: Math.max(0, ...all.map((run) => run.rssMaxMiB ?? 0)),
    runs: outcome.runs.map((run) => Math.round(run.requestsPerSecond)),
  };
}

export function summarize(scenarios) {
  const rows = [];
  let errors = 0;
  for (const scenario of scenarios) {
    const ours = figures(scenario.targets.ours);
    errors += ours?.errors ?? 0;
    if (Object.keys(scenario.targets).length === 1) {
      rows.push({
        scenario: scenario.name,
        title: scenario.title,
        peer: '–',
        ours,
        peerFigures: {},
        ratio: undefined,
      });
    }
    for (const [label, outcome] of Object.entries(scenario.targets)) {
      if (label === 'ours') continue;
      const peer = figures(outcome);
      errors += peer.errors;
      const ratio =
        ours?.requestsPerSecond && peer.requestsPerSecond
          ? ours.requestsPerSecond / peer.requestsPerSecond
          : undefined;
      rows.push({
        scenario: scenario.name,
        title: scenario.title,
        peer: label,
        ours,
        peerFigures: peer,
        ratio,
      });
    }
  }
  return { rows, errors, targets: targets(rows) };
}

/** The issue's targets, each with what this run measured. */
function targets(rows) {
  const row = (scenario, peer) => rows.find((r) => r.scenario === scenario && r.peer === peer);
  const ratio = (scenario, peer, wanted, text) => {
    const found = row(scenario, peer);
    return {
      target: text,
      measured: found?.ratio === undefined ? 'not measured' : `${found.ratio.toFixed(2)}×`,
      met: found?.ratio === undefined ? undefined : found.ratio >= wanted,
    };
  };
  const es256 = row('cc-es256', 'ceiling')?.ours;
  const rss = rows.map((r) => r.ours?.rssMaxMiB ?? 0);
  const maxRss = Math.max(0, ...rss);
  return [
    ratio('cc-es256', 'ceiling', 0.9, 'client_credentials ES256: ≥ 90% of the ceiling'),
    ratio('cc-es256', 'oidc-provider', 2.5, 'client_credentials ES256: ≥ 2.5× oidc-provider'),
    {
      target: 'client_credentials ES256: p99 < 10 ms at 50 connections',
      measured: es256?.p99 === undefined ? 'not measured' : `${es256.p99} ms`,
      met: es256?.p99 === undefined ? undefined : es256.p99 < 10,
    },
    ratio('cc-reference', 'oidc-provider', 2, 'reference token issue: ≥ 2× oidc-provider (opaque)'),
    ratio(
      'introspect-reference',
      'oidc-provider',
      2,
      'reference token introspection: ≥ 2× oidc-provider',
    ),
    ratio('cc-rs256', 'rs256-sign', 0.9, 'RS256: ≥ 90% of the one-core RS256 signing rate'),
    ratio(
      'password',
      'argon2id-verify',
      0.9,
      'password grant: ≥ 90% of the raw argon2id verify rate',
    ),
    {
      target: 'password grant with client_credentials p99 < 20 ms on the same instance',
      measured: 'not measured yet (needs a mixed scenario)',
      met: undefined,
    },
    {
      target: 'RSS < 250 MB through every scenario',
      measured: maxRss === 0 ? 'not measured' : `${Math.round(maxRss * 1.048576)} MB`,
      met: maxRss === 0 ? undefined : maxRss * 1.048576 < 250,
    },
  ];
}

const count = (value) => (value === undefined ? '–' : Math.round(value).toLocaleString('en-US'));
const ms = (value) => (value === undefined ? '–' : String(value));

export function markdownTable(report) {
  const lines = [
    '| scenario | peer | ours req/s | peer req/s | ours ÷ peer | ours p50 / p99 ms | peer p50 / p99 ms | errors ours / peer | ours max RSS MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of report.rows) {
    const { ours, peerFigures: peer } = row;
    lines.push(
      `| ${row.title} | ${PEER_NAMES[row.peer] ?? row.peer} | ${count(ours?.requestsPerSecond)} | ${count(peer.requestsPerSecond)} | ${
        row.ratio === undefined ? '–' : `${row.ratio.toFixed(2)}×`
      } | ${ms(ours?.p50)} / ${ms(ours?.p99)} | ${ms(peer.p50)} / ${ms(peer.p99)} | ${ours?.errors ?? '–'} / ${peer.errors ?? '–'} | ${
        ours?.rssMaxMiB ?? '–'
      } |`,
    );
  }
  lines.push('', '| target (issue 5) | this run | met |', '| --- | ---: | :---: |');
  for (const target of report.targets ?? []) {
    const met = target.met === undefined ? '–' : target.met ? 'yes' : '**no**';
    lines.push(`| ${target.target} | ${target.measured} | ${met} |`);
  }
  const { machine, settings, loadAverage } = report;
  lines.push(
    '',
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node.js ${machine.node}; ` +
      `${settings.database === 'postgres' ? 'PostgreSQL' : 'SQLite'}; ${settings.connections} connections, ` +
      `median of ${settings.runs} × ${settings.duration} s runs after ${settings.warmup} s warm-up, alternating servers; ` +
      `load average (1/5/15 min) ${loadAverage.before.join(' ')} before, ${loadAverage.after.join(' ')} after; ${report.startedAt}.`,
  );
  return lines.join('\n');
}
