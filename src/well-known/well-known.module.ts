import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthorizeModule } from '../authorize/authorize.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { GrantsModule } from '../grants/grants.module.js';
import { DiscoveryMetadataService } from './discovery-metadata.service.js';
import { WellKnownController } from './well-known.controller.js';

@Module({
  imports: [DiscoveryModule, ClientsModule, GrantsModule, AuthorizeModule],
  controllers: [WellKnownController],
  providers: [DiscoveryMetadataService],
})
export class WellKnownModule {}
