import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { ClientsService } from '../../clients/clients.service.js';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { page, type Page, PaginationQueryDto } from '../pagination.dto.js';
import { ClientAdministrationService } from './client-administration.service.js';
import { presentClient, presentWrite } from './client.presenter.js';

type ClientBody = Record<string, unknown>;

/** /admin/clients: registration and management of clients (CONTRACT.md). */
@Controller('admin/clients')
@UseGuards(AdminGuard)
@UsePipes(adminValidationPipe())
export class ClientsAdminController {
  constructor(
    private readonly administration: ClientAdministrationService,
    private readonly clients: ClientsService,
  ) {}

  @Post()
  async create(@Body() body: unknown): Promise<ClientBody> {
    return presentWrite(await this.administration.register(body));
  }

  @Get()
  async list(@Query() query: PaginationQueryDto): Promise<Page<ClientBody>> {
    const result = await this.clients.list(query.limit, query.cursor);
    return page(
      result.items.map((client) => presentClient(client)),
      result.nextCursor,
    );
  }

  @Get(':clientId')
  async get(@Param('clientId') clientId: string): Promise<ClientBody> {
    return presentClient(await this.clients.get(clientId));
  }

  @Put(':clientId')
  async replace(@Param('clientId') clientId: string, @Body() body: unknown): Promise<ClientBody> {
    return presentWrite(await this.administration.replace(clientId, body));
  }

  @Patch(':clientId')
  async update(@Param('clientId') clientId: string, @Body() body: unknown): Promise<ClientBody> {
    return presentWrite(await this.administration.update(clientId, body));
  }

  @Delete(':clientId')
  @HttpCode(204)
  async delete(@Param('clientId') clientId: string): Promise<void> {
    await this.administration.delete(clientId);
  }

  @Post(':clientId/secret')
  @HttpCode(200)
  async rotateSecret(@Param('clientId') clientId: string): Promise<ClientBody> {
    return presentWrite(await this.clients.rotateSecret(clientId));
  }
}
