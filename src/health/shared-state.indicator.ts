import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SharedStateHealth } from '../shared-state/shared-state-health.js';
import { ReadinessCheck, type ReadinessIndicator } from './readiness-check.decorator.js';

/** The shared store answers: Redis when REDIS_URL is set (without it, always up). */
@ReadinessCheck()
@Injectable()
export class SharedStateIndicator implements ReadinessIndicator {
  constructor(
    private readonly sharedState: SharedStateHealth,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('shared_state');
    const status = await this.sharedState.check();
    return status.up ? indicator.up() : indicator.down({ message: status.detail ?? 'down' });
  }
}
