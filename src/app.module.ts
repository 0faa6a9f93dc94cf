import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AuthorizeModule } from './authorize/authorize.module.js';
import { JwtClientAuthenticationModule } from './clients/authentication/jwt-client-authentication.module.js';
import { ClientsModule } from './clients/clients.module.js';
import { AppConfigModule } from './config/app-config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EXTENSION_MODULES } from './extensions/index.js';
import { GrantsModule } from './grants/grants.module.js';
import { HealthModule } from './health/health.module.js';
import { KeysModule } from './keys/keys.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SharedStateModule } from './shared-state/shared-state.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import type { DestinationStream } from 'pino';
import { UserinfoModule } from './userinfo/userinfo.module.js';
import type { ResourceOwnerPasswordValidator } from './users/resource-owner-password.validator.js';
import { UsersModule } from './users/users.module.js';
import { WellKnownModule } from './well-known/well-known.module.js';

/** How an application embeds and extends the service. */
export interface IdentityServiceOptions {
  /** More modules, e.g. ones providing extra grant handlers (see README, "Adding a grant type"). */
  readonly imports?: Array<Type | DynamicModule>;
  /** The shipped extension modules to run; EXTENSION_MODULES unless given (`[]`: none of them). */
  readonly extensions?: Array<Type | DynamicModule>;
  /** Replaces how the password grant checks usernames and passwords. */
  readonly passwordValidator?: Type<ResourceOwnerPasswordValidator>;
  /** Where the JSON log lines go; standard output unless given. */
  readonly logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(options: IdentityServiceOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule,
        LoggingModule.forRoot(options.logDestination),
        MetricsModule,
        DatabaseModule,
        SharedStateModule,
        HealthModule,
        UsersModule.forRoot({ passwordValidator: options.passwordValidator }),
        ClientsModule,
        KeysModule,
        TokensModule,
        GrantsModule,
        JwtClientAuthenticationModule,
        AuthorizeModule,
        UserinfoModule,
        WellKnownModule,
        AdminModule,
        ...(options.extensions ?? EXTENSION_MODULES),
        ...(options.imports ?? []),
      ],
    };
  }
}
