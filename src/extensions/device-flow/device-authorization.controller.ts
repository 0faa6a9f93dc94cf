import { Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../../clients/authentication/client-authentication.guard.js';
import type { Client } from '../../clients/client.js';
import { FormBodyGuard } from '../../common/oauth/form-body.guard.js';
import { FormParams } from '../../common/oauth/form-params.js';
import { NO_STORE_HEADERS } from '../../common/oauth/no-store.js';
import {
  DEVICE_AUTHORIZATION_PATH,
  DeviceAuthorizationService,
  type DeviceAuthorizationResponse,
} from './device-authorization.service.js';

/**
 * The device authorization endpoint (RFC 8628 §3.1): the same form parsing
 * and client authentication as the token endpoint, public clients included.
 */
@Controller(DEVICE_AUTHORIZATION_PATH)
export class DeviceAuthorizationController {
  constructor(private readonly devices: DeviceAuthorizationService) {}

  @Post()
  @HttpCode(200)
  @UseGuards(FormBodyGuard, ClientAuthenticationGuard)
  async authorize(
    @FormParams() params: Readonly<Record<string, string>>,
    @AuthenticatedClient() client: Client,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DeviceAuthorizationResponse> {
    const response = await this.devices.start(client, params.scope);
    void reply.headers(NO_STORE_HEADERS);
    return response;
  }
}
