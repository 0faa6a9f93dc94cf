// Medians of the timed runs, and the table that npm run bench prints and the README carries.

const PEER_NAMES = {
  'oidc-provider': 'oidc-provider',
  ceiling: 'ceiling (Fastify + jose)',
  'rs256-sign': 'RS256 signatures/s, 1 core (raw)',
  'argon2id-verify': 'argon2id verifications/s (raw)',
  alone: 'the same request, nothing beside it',
  empty: 'the same, on an almost empty database',
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
    cpuMicrosPerRequest: median(
      outcome.runs.map((run) => run.cpuMicrosPerRequest).filter((value) => value !== undefined),
    ),
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
  return { rows, errors, targets: targets(rows, scenarios) };
}

/** The issue's targets, each with what this run measured. */
function targets(rows, scenarios) {
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
    mixedTarget(row('mixed', 'alone')?.ours, scenarios),
    ratio(
      'scale-reference',
      'empty',
      0.9,
      'reference token issue with 1M stored grants: ≥ 90% of an empty database',
    ),
    ratio(
      'scale-introspect',
      'empty',
      0.9,
      'reference introspection with 1M stored grants: ≥ 90% of an empty database',
    ),
    sweepTarget(scenarios.find((scenario) => scenario.name === 'sweep')),
    {
      target: 'RSS < 250 MB through every scenario',
      measured: maxRss === 0 ? 'not measured' : `${Math.round(maxRss * 1.048576)} MB`,
      met: maxRss === 0 ? undefined : maxRss * 1.048576 < 250,
    },
  ];
}

function mixedTarget(ours, scenarios) {
  const text = 'password grant with client_credentials p99 < 20 ms on the same instance';
  if (ours?.p99 === undefined) return { target: text, measured: 'not measured', met: undefined };
  const runs = scenarios.find((scenario) => scenario.name === 'mixed')?.targets.ours?.runs ?? [];
  const passwords = median(runs.map((run) => run.background?.requestsPerSecond ?? 0));
  return {
    target: text,
    measured: `${ours.p99} ms (beside ${Math.round(passwords ?? 0)} password grants/s)`,
    met: ours.p99 < 20,
  };
}

/** The sweep scenario: the most rows its client held against what 60 s of tokens plus two sweeps allow. */
function sweepTarget(scenario) {
  const text =
    'sweeper keeps stored tokens bounded under sustained load (≤ rate × (TTL + 2 sweep intervals))';
  const run = scenario?.targets.ours.runs[0];
  if (run === undefined)
    return { target: text, measured: 'not measured (BENCH_SCENARIOS=sweep)', met: undefined };
  const { samples, ttlSeconds, sweepIntervalSeconds } = scenario.details;
  const most = Math.max(0, ...samples.map((sample) => sample.rows));
  const bound = Math.round(run.requestsPerSecond * (ttlSeconds + 2 * sweepIntervalSeconds));
  return {
    target: text,
    measured: `at most ${most.toLocaleString('en-US')} rows (bound ${bound.toLocaleString('en-US')}), ${samples.at(-1)?.rows.toLocaleString('en-US')} at the end`,
    met: most <= bound,
  };
}

const count = (value) => (value === undefined ? '–' : Math.round(value).toLocaleString('en-US'));
const ms = (value) => (value === undefined ? '–' : String(value));

export function markdownTable(report) {
  const lines = [
    '| scenario | peer | ours req/s | peer req/s | ours ÷ peer | ours p50 / p99 ms | peer p50 / p99 ms | CPU µs per request ours / peer | errors ours / peer | ours max RSS MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of report.rows) {
    const { ours, peerFigures: peer } = row;
    lines.push(
      `| ${row.title} | ${PEER_NAMES[row.peer] ?? row.peer} | ${count(ours?.requestsPerSecond)} | ${count(peer.requestsPerSecond)} | ${
        row.ratio === undefined ? '–' : `${row.ratio.toFixed(2)}×`
      } | ${ms(ours?.p50)} / ${ms(ours?.p99)} | ${ms(peer.p50)} / ${ms(peer.p99)} | ${count(ours?.cpuMicrosPerRequest)} / ${count(peer.cpuMicrosPerRequest)} | ${ours?.errors ?? '–'} / ${peer.errors ?? '–'} | ${
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
