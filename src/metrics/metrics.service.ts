import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { PairCounts } from './pair-counts.js';

/** A Prometheus counter whose values are kept in PairCounts and copied in when scraped. */
function pairCounter(
  registry: Registry,
  name: string,
  help: string,
  labels: readonly [string, string],
  counts: PairCounts,
): void {
  new Counter({
    name,
    help,
    labelNames: labels,
    registers: [registry],
    collect(this: Counter<string>) {
      this.reset();
      counts.forEach((first, second, value) =>
        this.inc({ [labels[0]]: first, [labels[1]]: second }, value),
      );
    },
  });
}

export const HTTP_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type HttpCell = { count: number; readonly duration: Histogram.Internal<string> };

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), collected once
 * per process: each collector starts an event-loop monitor and a GC observer
 * that prom-client never stops, so one per instance would pile up where
 * several instances share a process (the e2e files of a test worker).
 */
let processMetrics: Registry | undefined;

function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/**
 * The service's Prometheus metrics, in a registry of this application's own
 * (never prom-client's global one, so several instances in one process do not
 * collide). Hot-path counting is a label lookup: nested maps of label values.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly tokens = new PairCounts();
  private readonly authenticationFailures = new PairCounts();
  /** route → method → status → cell */
  private readonly http = new Map<string, Map<string, Map<number, HttpCell>>>();
  private readonly httpDuration: Histogram<string>;

  constructor() {
    // Started with the first instance, so that GC and event-loop figures cover the process's life.
    processRegistry();
    pairCounter(
      this.registry,
      'oauth_tokens_issued_total',
      'Successful token endpoint responses, by grant type and client',
      ['grant_type', 'client_id'],
      this.tokens,
    );
    pairCounter(
      this.registry,
      'oauth_authentication_failures_total',
      'Failed authentications: kind "client" by client authentication method, kind "password" by where the password was checked',
      ['kind', 'method'],
      this.authenticationFailures,
    );
    const http = this.http;
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
      collect(this: Counter<string>) {
        this.reset();
        for (const [route, methods] of http) {
          for (const [method, statuses] of methods) {
            for (const [status, cell] of statuses) {
              this.inc({ method, route, status_code: status }, cell.count);
            }
          }
        }
      },
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response, by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [this.registry],
    });
  }

  /** The token endpoint issued tokens (the grant handler succeeded). */
  tokenIssued(grantType: string, clientId: string): void {
    this.tokens.add(grantType, clientId);
  }

  /** A client failed to authenticate with `method` (client_secret_basic, private_key_jwt, ...). */
  clientAuthenticationFailed(method: string): void {
    this.authenticationFailures.add('client', method);
  }

  /** A user's password did not match (or the user does not exist). */
  passwordCheckFailed(where: string): void {
    this.authenticationFailures.add('password', where);
  }

  /** One answered HTTP request; `route` is the pattern (e.g. /admin/clients/:client_id), never the URL. */
  requestAnswered(method: string, route: string, status: number, seconds: number): void {
    let methods = this.http.get(route);
    if (methods === undefined) {
      methods = new Map();
      this.http.set(route, methods);
    }
    let statuses = methods.get(method);
    if (statuses === undefined) {
      statuses = new Map();
      methods.set(method, statuses);
    }
    let cell = statuses.get(status);
    if (cell === undefined) {
      cell = {
        count: 0,
        duration: this.httpDuration.labels({ method, route, status_code: status }),
      };
      statuses.set(status, cell);
    }
    cell.count++;
    cell.duration.observe(seconds);
  }

  /** The text exposition format, for GET /metrics. */
  render(): Promise<string> {
    return Registry.merge([processRegistry(), this.registry]).metrics();
  }
}
