import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { PersistedGrantStore } from '../../tokens/persisted-grant.store.js';
import { CreateUserDto, UpdateUserDto } from '../../users/user.dto.js';
import { UsersService } from '../../users/users.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { page, type Page, PaginationQueryDto } from '../pagination.dto.js';
import { presentUser, type UserBody } from './user.presenter.js';

const userId = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

@Controller('admin/users')
@UseGuards(AdminGuard)
@UsePipes(adminValidationPipe())
export class UsersAdminController {
  constructor(
    private readonly users: UsersService,
    private readonly store: PersistedGrantStore,
  ) {}

  @Post()
  async create(@Body() body: CreateUserDto): Promise<UserBody> {
    return presentUser(await this.users.create(body));
  }

  @Get()
  async list(@Query() query: PaginationQueryDto): Promise<Page<UserBody>> {
    const result = await this.users.list(query.limit, query.cursor);
    return page(result.items.map(presentUser), result.nextCursor);
  }

  @Get(':id')
  async get(@Param('id', userId) id: string): Promise<UserBody> {
    return presentUser(await this.users.get(id));
  }

  @Patch(':id')
  async update(@Param('id', userId) id: string, @Body() body: UpdateUserDto): Promise<UserBody> {
    return presentUser(await this.users.update(id, body));
  }

  /** Deleting a user also revokes every refresh and reference token issued for them. */
  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', userId) id: string): Promise<void> {
    await this.users.delete(id);
    await this.store.revokeSubject(id);
  }
}
