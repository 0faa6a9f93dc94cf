import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { ReadinessCheck, type ReadinessIndicator } from './readiness-check.decorator.js';

/** Every migration this build knows has been applied to the database. */
@ReadinessCheck()
@Injectable()
export class MigrationsIndicator implements ReadinessIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('migrations');
    try {
      const pending = await this.dataSource.showMigrations();
      return pending ? indicator.down({ message: 'migrations are pending' }) : indicator.up();
    } catch {
      return indicator.down({ message: 'the migrations table cannot be read' });
    }
  }
}
