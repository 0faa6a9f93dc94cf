import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { CreateTrustedIssuerDto } from '../../trust/trusted-issuer.dto.js';
import type { TrustedIssuerEntity } from '../../trust/trusted-issuer.entity.js';
import { TrustedIssuersService } from '../../trust/trusted-issuers.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { page, type Page, PaginationQueryDto } from '../pagination.dto.js';

type TrustedIssuerBody = Record<string, unknown>;

/** A trusted issuer as the admin API shows it: the fields it was created with, an id and a date. */
function presentTrustedIssuer(entity: TrustedIssuerEntity): TrustedIssuerBody {
  return {
    id: entity.id,
    issuer: entity.issuer,
    ...(entity.jwks !== null ? { jwks: entity.jwks } : {}),
    ...(entity.jwksUri !== null ? { jwks_uri: entity.jwksUri } : {}),
    ...(entity.allowedSubjects !== null ? { allowed_subjects: entity.allowedSubjects } : {}),
    ...(entity.allowedScopes !== null ? { allowed_scopes: entity.allowedScopes } : {}),
    created_at: Math.floor(entity.createdAt / 1000),
  };
}

const issuerId = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

/** /admin/trusted-issuers: the issuers whose JWTs the JWT bearer grant accepts (CONTRACT.md). */
@Controller('admin/trusted-issuers')
@UseGuards(AdminGuard)
@UsePipes(adminValidationPipe())
export class TrustedIssuersAdminController {
  constructor(private readonly issuers: TrustedIssuersService) {}

  @Post()
  async create(@Body() body: CreateTrustedIssuerDto): Promise<TrustedIssuerBody> {
    return presentTrustedIssuer(await this.issuers.create(body));
  }

  @Get()
  async list(@Query() query: PaginationQueryDto): Promise<Page<TrustedIssuerBody>> {
    const result = await this.issuers.list(query.limit, query.cursor);
    return page(result.items.map(presentTrustedIssuer), result.nextCursor);
  }

  /** Its JWTs are refused from then on (within the 30 s other instances may cache it). */
  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', issuerId) id: string): Promise<void> {
    await this.issuers.delete(id);
  }
}
