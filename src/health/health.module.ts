import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseIndicator } from './database.indicator.js';
import { HealthController } from './health.controller.js';
import { MigrationsIndicator } from './migrations.indicator.js';
import { SharedStateIndicator } from './shared-state.indicator.js';

/** GET /health/live and /health/ready. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), DiscoveryModule],
  controllers: [HealthController],
  providers: [DatabaseIndicator, MigrationsIndicator, SharedStateIndicator],
})
export class HealthModule {}
