import { DiscoveryService } from '@nestjs/core';

/**
 * A provider that adds members to the discovery metadata, e.g. an extension
 * module's endpoint (`device_authorization_endpoint`). Marked with
 * @DiscoveryMetadataContributor(), it is found at start-up like grant
 * handlers, so removing its module removes its members.
 */
export interface DiscoveryMetadataContribution {
  /** Members to add; a member the core or another contributor already lists stops start-up. */
  discoveryMetadata(): Readonly<Record<string, unknown>>;
}

/** Marks a provider as a DiscoveryMetadataContribution for DiscoveryMetadataService to read. */
export const DiscoveryMetadataContributor = DiscoveryService.createDecorator<void>();
