import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { GrantsModule } from '../grants/grants.module.js';
import { DiscoveryMetadataService } from './discovery-metadata.service.js';
import { WellKnownController } from './well-known.controller.js';

@Module({
  imports: [ClientsModule, GrantsModule],
  controllers: [WellKnownController],
  providers: [DiscoveryMetadataService],
})
export class WellKnownModule {}
