import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ReadinessCheck, type ReadinessIndicator } from './readiness-check.decorator.js';

/** The database answers a ping within 1.5 s. */
@ReadinessCheck()
@Injectable()
export class DatabaseIndicator implements ReadinessIndicator {
  constructor(private readonly typeorm: TypeOrmHealthIndicator) {}

  check(): PromiseLike<HealthIndicatorResult> {
    return this.typeorm.pingCheck('database', { timeout: 1500 });
  }
}
