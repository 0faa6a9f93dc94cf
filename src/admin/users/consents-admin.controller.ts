import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard.js';
import {
  type ConsentBody,
  ConsentAdministrationService,
} from './consent-administration.service.js';

const userId = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

/** /admin/users/{id}/consents: the clients a user has consented to, and withdrawing a consent. */
@Controller('admin/users/:id/consents')
@UseGuards(AdminGuard)
export class ConsentsAdminController {
  constructor(private readonly consents: ConsentAdministrationService) {}

  @Get()
  async list(@Param('id', userId) id: string): Promise<{ items: ConsentBody[] }> {
    return { items: await this.consents.list(id) };
  }

  /** Also revokes the client's refresh tokens and reference access tokens for the user. */
  @Delete(':clientId')
  @HttpCode(204)
  async revoke(
    @Param('id', userId) id: string,
    @Param('clientId') clientId: string,
  ): Promise<void> {
    await this.consents.revoke(id, clientId);
  }
}
