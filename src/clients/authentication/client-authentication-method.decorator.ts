import { DiscoveryService } from '@nestjs/core';

/** Marks a provider as a ClientAuthenticator for the registry to find. */
export const ClientAuthenticationMethod = DiscoveryService.createDecorator<void>();
