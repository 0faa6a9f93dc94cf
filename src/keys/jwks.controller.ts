import { Controller, Get, Header } from '@nestjs/common';
import type { JWK } from 'jose';
import { KeysService } from './keys.service.js';

export const JWKS_PATH = 'jwks';

@Controller(JWKS_PATH)
export class JwksController {
  constructor(private readonly keys: KeysService) {}

  /** Short caching is safe: a key is published one rotation before it signs. */
  @Get()
  @Header('Cache-Control', 'public, max-age=60')
  @Header('Content-Type', 'application/jwk-set+json; charset=utf-8')
  jwks(): { keys: JWK[] } {
    return this.keys.jwks();
  }
}
