import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Client } from '../../../src/clients/client.js';
import {
  type ResourceOwner,
  ResourceOwnerPasswordValidator,
} from '../../../src/users/resource-owner-password.validator.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { allGrantRows, grantRowOf } from './persisted-grant-rows.js';

const DIRECTORY_USER = 'carol@directory.example';
const DIRECTORY_PASSWORD = 'kept-in-the-directory';
const DIRECTORY_SUBJECT = 'directory|carol';
const WRONG_CREDENTIALS = {
  error: 'invalid_grant',
  error_description: 'the username or password is wrong',
};

/**
 * An application's own check, standing in for a directory: one fixed account,
 * and only for clients whose id marks them as directory apps.
 */
@Injectable()
class FixedValidator extends ResourceOwnerPasswordValidator {
  async validate(
    username: string,
    password: string,
    client: Client,
  ): Promise<ResourceOwner | undefined> {
    if (!client.clientId.startsWith('directory-')) return undefined;
    return username === DIRECTORY_USER && password === DIRECTORY_PASSWORD
      ? { subject: DIRECTORY_SUBJECT, username }
      : undefined;
  }
}

describe('a replaced ResourceOwnerPasswordValidator', () => {
  let service: TestApp;
  let directoryApp: RegisteredClient;
  let otherApp: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp({ passwordValidator: FixedValidator });
    directoryApp = await service.createClient({
      client_id: 'directory-app',
      grant_types: ['password', 'refresh_token'],
      scope: 'read',
    });
    otherApp = await service.createClient({
      client_id: 'other-app',
      grant_types: ['password'],
      scope: 'read',
    });
  });
  afterAll(() => service.close());

  const passwordRequest = (client: RegisteredClient, username: string, password: string) =>
    service.postForm(
      '/token',
      { grant_type: 'password', username, password },
      { basic: [client.client_id, client.client_secret!] },
    );

  it('when the validator accepts the credentials then the tokens carry the subject it returned', async () => {
    const config = await discoverAs(service, directoryApp);
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: DIRECTORY_USER,
      password: DIRECTORY_PASSWORD,
    });

    const jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: DIRECTORY_SUBJECT,
      client_id: 'directory-app',
      scope: 'read',
    });

    expect(await grantRowOf(service.db, tokens.refresh_token!)).toMatchObject({
      type: 'refresh_token',
      subject: DIRECTORY_SUBJECT,
      payload: { subject: DIRECTORY_SUBJECT, username: DIRECTORY_USER },
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await jwtVerify(refreshed.access_token, jwks)).payload.sub).toBe(DIRECTORY_SUBJECT);
  });

  it('when a user of the user table signs in with their right password then invalid_grant', async () => {
    await service.createUser({ username: 'alice', password: 'correct horse battery staple' });
    const result = await passwordRequest(directoryApp, 'alice', 'correct horse battery staple');
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
  });

  it('when the password is not the one the validator knows then invalid_grant', async () => {
    const result = await passwordRequest(directoryApp, DIRECTORY_USER, 'a guess');
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
  });

  it('when the validator refuses the client then invalid_grant even with the right credentials', async () => {
    const before = await allGrantRows(service.db);
    const result = await passwordRequest(otherApp, DIRECTORY_USER, DIRECTORY_PASSWORD);
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
    expect(await allGrantRows(service.db)).toEqual(before);
  });
});
