import { Controller, Get, Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { serverConfig } from '../../config/server.config.js';
import { buildAdminOpenApi } from './admin-openapi.js';

/** The admin API's OpenAPI document; public, like the API's shape it describes. */
@Controller('admin')
export class OpenApiController {
  private document: Record<string, unknown> | undefined;

  constructor(@Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>) {}

  @Get('openapi.json')
  openApi(): Record<string, unknown> {
    this.document ??= buildAdminOpenApi(this.server.issuer);
    return this.document;
  }
}
