import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { readFormParams } from './form-params.js';

/** First step of every back-channel OAuth endpoint: a well-formed form body, or invalid_request. */
@Injectable()
export class FormBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.oauthParams = readFormParams(request);
    return true;
  }
}
