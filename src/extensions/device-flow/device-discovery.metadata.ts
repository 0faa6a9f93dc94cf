import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { serverConfig } from '../../config/server.config.js';
import {
  type DiscoveryMetadataContribution,
  DiscoveryMetadataContributor,
} from '../../well-known/discovery-metadata.contributor.js';
import { DEVICE_AUTHORIZATION_PATH } from './device-authorization.service.js';

/** RFC 8628 §4: discovery names the device authorization endpoint (the grant type it lists itself). */
@DiscoveryMetadataContributor()
@Injectable()
export class DeviceDiscoveryMetadata implements DiscoveryMetadataContribution {
  constructor(@Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>) {}

  discoveryMetadata(): Readonly<Record<string, unknown>> {
    return { device_authorization_endpoint: `${this.server.issuer}/${DEVICE_AUTHORIZATION_PATH}` };
  }
}
