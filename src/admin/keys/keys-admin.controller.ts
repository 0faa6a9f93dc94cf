import { Body, Controller, Get, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { KeysService } from '../../keys/keys.service.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../keys/signing-algorithm.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { presentKey } from './key.presenter.js';

export class RotateKeysDto {
  /** Rotate one algorithm's keys; all of them when absent. */
  @IsOptional()
  @IsIn(SIGNING_ALGORITHMS)
  alg?: SigningAlgorithm;
}

@Controller('admin/keys')
@UseGuards(AdminGuard)
@UsePipes(adminValidationPipe())
export class KeysAdminController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  async list(): Promise<{ items: Record<string, unknown>[] }> {
    return { items: (await this.keys.list()).map(presentKey) };
  }

  /** Next keys start signing, current ones retire, new next keys are published. */
  @Post('rotate')
  @HttpCode(200)
  async rotate(@Body() body: RotateKeysDto = {}): Promise<{ items: Record<string, unknown>[] }> {
    await this.keys.rotate(body.alg === undefined ? SIGNING_ALGORITHMS : [body.alg]);
    return this.list();
  }
}
