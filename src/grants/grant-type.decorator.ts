import { DiscoveryService } from '@nestjs/core';

/** Marks a provider as a GrantHandler for the GrantRegistry to find. */
export const GrantType = DiscoveryService.createDecorator<void>();
