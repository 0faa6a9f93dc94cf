import { DeviceFlowModule } from '../../../src/extensions/device-flow/device-flow.module.js';
import { EXTENSION_MODULES } from '../../../src/extensions/index.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { DEVICE_CODE_GRANT } from './device-flow-support.js';

/**
 * The extension-module seam: the device flow is in the service only because
 * DeviceFlowModule is in EXTENSION_MODULES. The same list without it (and
 * nothing else changed) leaves no trace of it at the token endpoint or in
 * discovery.
 */
describe('the device flow as an extension module', () => {
  it('when DeviceFlowModule is in the extension list then discovery lists its endpoint and grant type', async () => {
    expect(EXTENSION_MODULES).toContain(DeviceFlowModule);
    const service = await startTestApp();
    try {
      for (const path of [
        '/.well-known/openid-configuration',
        '/.well-known/oauth-authorization-server',
      ]) {
        const { body } = await service.request('GET', path);
        expect(body.device_authorization_endpoint).toBe(`${service.issuer}/device_authorization`);
        expect(body.grant_types_supported).toContain(DEVICE_CODE_GRANT);
      }
    } finally {
      await service.close();
    }
  });

  describe('when the service runs with the extension list minus DeviceFlowModule', () => {
    let service: TestApp;

    beforeAll(async () => {
      service = await startTestApp({
        extensions: EXTENSION_MODULES.filter((module) => module !== DeviceFlowModule),
      });
    });
    afterAll(() => service?.close());

    it('then the token endpoint answers the device grant with unsupported_grant_type', async () => {
      const client = await service.createClient({ grant_types: ['client_credentials'] });
      const result = await service.postForm(
        '/token',
        { grant_type: DEVICE_CODE_GRANT, device_code: 'anything' },
        { basic: [client.client_id, client.client_secret!] },
      );
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: `grant_type '${DEVICE_CODE_GRANT}' is not supported`,
        },
      });
    });

    it('then discovery lists neither the device authorization endpoint nor the grant type', async () => {
      const { body } = await service.request('GET', '/.well-known/openid-configuration');
      expect(body).not.toHaveProperty('device_authorization_endpoint');
      expect(body.grant_types_supported).not.toContain(DEVICE_CODE_GRANT);
      expect(body.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
      );
    });

    it('then its endpoints are gone and no client can be registered for the grant', async () => {
      const endpoint = await service.postForm('/device_authorization', { client_id: 'x' });
      expect({ status: endpoint.status, body: endpoint.body }).toEqual({
        status: 404,
        body: { error: 'not_found', error_description: 'no such endpoint' },
      });
      const page = await service.request('GET', '/device');
      expect(page.status).toBe(404);
      const registration = await service.admin('POST', '/admin/clients', {
        grant_types: [DEVICE_CODE_GRANT],
      });
      expect(registration.status).toBe(400);
      expect(registration.body.errors).toEqual([
        { pointer: '/grant_types', detail: `"${DEVICE_CODE_GRANT}" is not supported` },
      ]);
    });
  });
});
