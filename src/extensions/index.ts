import type { DynamicModule, Type } from '@nestjs/common';
import { DeviceFlowModule } from './device-flow/device-flow.module.js';
import { TokenExchangeModule } from './token-exchange/token-exchange.module.js';

/**
 * Extension modules shipped with the service, each adding grant types (or
 * more) from outside the core. Removing a module from this list removes what
 * it adds from the token endpoint and from discovery; nothing else changes.
 */
export const EXTENSION_MODULES: Array<Type | DynamicModule> = [
  TokenExchangeModule,
  DeviceFlowModule,
];
