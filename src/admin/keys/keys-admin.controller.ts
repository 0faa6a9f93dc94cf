import { Body, Controller, Get, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import { adminValidationPipe } from '../../common/problem/validation-errors.js';
import { KeysService } from '../../keys/keys.service.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../keys/signing-algorithm.js';
import type { SigningKeyEntity } from '../../keys/signing-key.entity.js';
import { AdminGuard } from '../auth/admin.guard.js';

export class RotateKeysDto {
  /** Rotate one algorithm's keys; all of them when absent. */
  @IsOptional()
  @IsIn(SIGNING_ALGORITHMS)
  alg?: SigningAlgorithm;
}

const seconds = (ms: number | null) => (ms === null ? undefined : Math.floor(ms / 1000));

/** Public parts only: the private key never leaves KeysService. */
function presentKey(key: SigningKeyEntity): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    public_jwk: key.publicJwk,
    created_at: seconds(key.createdAt),
    activated_at: seconds(key.activatedAt),
    retired_at: seconds(key.retiredAt),
    retain_until: seconds(key.retainUntil),
  };
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
