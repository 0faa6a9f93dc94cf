import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
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

/** Responses that may carry a newly generated client_secret must not be cached (RFC 7591 §3.2.1). */
const NO_STORE = ['Cache-Control', 'no-store'] as const;

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
  @Header(...NO_STORE)
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
  @Header(...NO_STORE)
  async replace(@Param('clientId') clientId: string, @Body() body: unknown): Promise<ClientBody> {
    return presentWrite(await this.administration.replace(clientId, body));
  }

  @Patch(':clientId')
  @Header(...NO_STORE)
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
  @Header(...NO_STORE)
  async rotateSecret(@Param('clientId') clientId: string): Promise<ClientBody> {
    return presentWrite(await this.clients.rotateSecret(clientId));
  }
}
