import { Injectable } from '@nestjs/common';
import {
  type ResourceOwner,
  ResourceOwnerPasswordValidator,
} from './resource-owner-password.validator.js';
import { UsersService } from './users.service.js';

/** The default: users of this service's own user table. */
@Injectable()
export class DefaultPasswordValidator extends ResourceOwnerPasswordValidator {
  constructor(private readonly users: UsersService) {
    super();
  }

  async validate(username: string, password: string): Promise<ResourceOwner | undefined> {
    const user = await this.users.verifyPassword(username, password);
    return user === undefined
      ? undefined
      : { subject: user.id, username: user.username, claims: user.claims };
  }
}
