import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DefaultPasswordValidator } from './default-password.validator.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { ResourceOwnerPasswordValidator } from './resource-owner-password.validator.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

export interface UsersModuleOptions {
  /** Replaces the default check of the password grant's credentials against the user table. */
  readonly passwordValidator?: Type<ResourceOwnerPasswordValidator>;
}

/**
 * Users, password hashing, the (replaceable) password validator and the
 * throttle on failed password checks; global, configured once.
 */
@Module({})
export class UsersModule {
  static forRoot(options: UsersModuleOptions = {}): DynamicModule {
    return {
      module: UsersModule,
      global: true,
      imports: [TypeOrmModule.forFeature([UserEntity])],
      providers: [
        UsersService,
        PasswordHasher,
        LoginThrottle,
        {
          provide: ResourceOwnerPasswordValidator,
          useClass: options.passwordValidator ?? DefaultPasswordValidator,
        },
      ],
      exports: [UsersService, ResourceOwnerPasswordValidator, LoginThrottle],
    };
  }
}
