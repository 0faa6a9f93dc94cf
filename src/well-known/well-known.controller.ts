import { Controller, Get, Header } from '@nestjs/common';
import { DiscoveryMetadataService } from './discovery-metadata.service.js';

@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly metadata: DiscoveryMetadataService) {}

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openidConfiguration(): Readonly<Record<string, unknown>> {
    return this.metadata.get();
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  oauthAuthorizationServer(): Readonly<Record<string, unknown>> {
    return this.metadata.get();
  }
}
