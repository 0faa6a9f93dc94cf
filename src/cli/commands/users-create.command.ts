import { presentUser } from '../../admin/users/user.presenter.js';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { CreateUserDto } from '../../users/user.dto.js';
import { UsersService } from '../../users/users.service.js';
import type { CliCommand } from '../cli-command.js';
import { readJsonInput } from '../json-input.js';

/** Creates a user from the same JSON as POST /admin/users (read from a file or stdin, never argv). */
export const usersCreateCommand: CliCommand = {
  name: 'users:create',
  options: ['file'],
  usage: 'users:create --file F|-          create a user (POST /admin/users JSON)',
  async run(invocation) {
    const body = await readJsonInput(invocation.options.file);
    const input = (await adminValidationPipe().transform(body, {
      type: 'body',
      metatype: CreateUserDto,
    })) as CreateUserDto;
    const context = await invocation.context();
    return presentUser(await context.get(UsersService).create(input));
  },
};
