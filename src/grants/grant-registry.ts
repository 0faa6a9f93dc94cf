import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { GrantHandler } from './grant-handler.interface.js';
import { GrantType } from './grant-type.decorator.js';

/** Every grant handler in the application (built-in or from an extension module), by grant_type. */
@Injectable()
export class GrantRegistry implements OnModuleInit {
  private handlers = new Map<string, GrantHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const handlers = new Map<string, GrantHandler>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: GrantType.KEY })) {
      const handler = wrapper.instance as GrantHandler;
      const existing = handlers.get(handler.grantType);
      if (existing !== undefined) {
        throw new Error(
          `Grant type "${handler.grantType}" is provided twice: by ${existing.constructor.name} and ${handler.constructor.name}`,
        );
      }
      handlers.set(handler.grantType, handler);
    }
    this.handlers = handlers;
  }

  get(grantType: string): GrantHandler | undefined {
    return this.handlers.get(grantType);
  }

  grantTypes(): string[] {
    return [...this.handlers.keys()];
  }
}
