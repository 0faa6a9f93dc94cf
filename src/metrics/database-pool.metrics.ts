import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from './metrics.service.js';

/** The part of pg.Pool that the gauges read. */
interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

function isPool(value: unknown): value is PoolCounts {
  return typeof value === 'object' && value !== null && 'totalCount' in value;
}

/** On PostgreSQL, the connection pool's use, read when metrics are scraped. */
@Injectable()
export class DatabasePoolMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    if (this.dataSource.options.type !== 'postgres') return;
    const pool = (): PoolCounts | undefined => {
      const master = (this.dataSource.driver as { master?: unknown }).master;
      return isPool(master) ? master : undefined;
    };
    const gauge = (name: string, help: string, read: (counts: PoolCounts) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        collect(this: Gauge) {
          const counts = pool();
          this.set(counts === undefined ? 0 : read(counts));
        },
      });
    gauge(
      'db_pool_connections',
      'Connections the pool holds (idle and in use)',
      (p) => p.totalCount,
    );
    gauge(
      'db_pool_idle_connections',
      'Connections the pool holds that are idle',
      (p) => p.idleCount,
    );
    gauge(
      'db_pool_waiting_requests',
      'Queries waiting for a connection from the pool',
      (p) => p.waitingCount,
    );
  }
}
