import { DiscoveryService } from '@nestjs/core';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * A dependency the service needs to serve. A provider that implements it and
 * carries @ReadinessCheck() is part of GET /health/ready, wherever its module
 * is: adding a check (e.g. Redis) is that one decorator.
 */
export interface ReadinessIndicator {
  check(): PromiseLike<HealthIndicatorResult>;
}

export const ReadinessCheck = DiscoveryService.createDecorator<void>();
