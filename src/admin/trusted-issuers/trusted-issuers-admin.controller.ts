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
import { TrustedIssuersService } from '../../trust/trusted-issuers.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { page, type Page, PaginationQueryDto } from '../pagination.dto.js';
import { presentTrustedIssuer, type TrustedIssuerBody } from './trusted-issuer.presenter.js';

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
