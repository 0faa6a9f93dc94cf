import { Module } from '@nestjs/common';
import { AuthorizeModule } from '../../authorize/authorize.module.js';
import { ClientsModule } from '../../clients/clients.module.js';
import { TokensModule } from '../../tokens/tokens.module.js';
import { DeviceAuthorizationController } from './device-authorization.controller.js';
import { DeviceAuthorizationService } from './device-authorization.service.js';
import { DeviceCodeGrant } from './device-code.grant.js';
import { DeviceDiscoveryMetadata } from './device-discovery.metadata.js';
import { DevicePollingTracker } from './device-polling.tracker.js';
import { DeviceVerificationController } from './device-verification.controller.js';
import { DeviceVerificationService } from './device-verification.service.js';
import { UserCodeThrottle } from './user-code.throttle.js';

/**
 * The device authorization grant (RFC 8628) as an extension module: the
 * device authorization endpoint, the verification page with the
 * authorization endpoint's login and session, and the device_code grant.
 * Importing it (EXTENSION_MODULES) is all it takes; the token endpoint and
 * discovery find its grant handler and its discovery metadata.
 */
@Module({
  imports: [ClientsModule, TokensModule, AuthorizeModule],
  controllers: [DeviceAuthorizationController, DeviceVerificationController],
  providers: [
    DeviceAuthorizationService,
    DeviceVerificationService,
    DeviceCodeGrant,
    DevicePollingTracker,
    UserCodeThrottle,
    DeviceDiscoveryMetadata,
  ],
})
export class DeviceFlowModule {}
