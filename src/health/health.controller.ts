import {
  Controller,
  Get,
  Header,
  type OnModuleInit,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ReadinessCheck, type ReadinessIndicator } from './readiness-check.decorator.js';

/**
 * Liveness (the process serves HTTP) and readiness (every @ReadinessCheck
 * dependency is up). Both are terminus' JSON; readiness is 503 when a check
 * is down, so that a load balancer takes the instance out.
 */
@Controller('health')
export class HealthController implements OnModuleInit {
  private indicators: ReadinessIndicator[] = [];

  constructor(
    private readonly health: HealthCheckService,
    private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    this.indicators = this.discovery
      .getProviders({ metadataKey: ReadinessCheck.KEY })
      .map((wrapper) => wrapper.instance as ReadinessIndicator);
  }

  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.indicators.map((indicator) => () => indicator.check()));
    } catch (error) {
      // Terminus throws its result as a 503; it is the body, not an error to render.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
