import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { MIN_ADMIN_SECRET_LENGTH, parseAdminConfig } from './admin.config.js';

const SECRET = 's'.repeat(MIN_ADMIN_SECRET_LENGTH);

describe('parseAdminConfig', () => {
  it('when neither variable is set then there is no bootstrap client', () => {
    expect(parseAdminConfig({})).toEqual({ bootstrapClient: undefined });
    expect(parseAdminConfig({ ADMIN_CLIENT_ID: '', ADMIN_CLIENT_SECRET: ' ' })).toEqual({
      bootstrapClient: undefined,
    });
  });

  it('when both are set then the bootstrap client has them', () => {
    expect(parseAdminConfig({ ADMIN_CLIENT_ID: 'admin', ADMIN_CLIENT_SECRET: SECRET })).toEqual({
      bootstrapClient: { clientId: 'admin', clientSecret: SECRET },
    });
  });

  it('when the id uses every allowed character then it is accepted', () => {
    const clientId = 'Admin-0.9_x~';
    expect(parseAdminConfig({ ADMIN_CLIENT_ID: clientId, ADMIN_CLIENT_SECRET: SECRET })).toEqual({
      bootstrapClient: { clientId, clientSecret: SECRET },
    });
  });

  it('when ADMIN_CLIENT_ID is set without a secret then start-up fails naming ADMIN_CLIENT_SECRET', () => {
    const error = invalidEnvironmentError(() => parseAdminConfig({ ADMIN_CLIENT_ID: 'admin' }));
    expect(error.variable).toBe('ADMIN_CLIENT_SECRET');
    expect(error.message).toMatch(/^Invalid configuration: ADMIN_CLIENT_SECRET \S[^\r\n]*$/);
  });

  it('when ADMIN_CLIENT_SECRET is set without an id then start-up fails naming ADMIN_CLIENT_ID', () => {
    const error = invalidEnvironmentError(() => parseAdminConfig({ ADMIN_CLIENT_SECRET: SECRET }));
    expect(error.variable).toBe('ADMIN_CLIENT_ID');
    expect(error.message).toMatch(/^Invalid configuration: ADMIN_CLIENT_ID \S[^\r\n]*$/);
  });

  it('when ADMIN_CLIENT_SECRET is one character short then start-up fails without echoing it', () => {
    const short = 'x'.repeat(MIN_ADMIN_SECRET_LENGTH - 1);
    const error = invalidEnvironmentError(() =>
      parseAdminConfig({ ADMIN_CLIENT_ID: 'admin', ADMIN_CLIENT_SECRET: short }),
    );
    expect(MIN_ADMIN_SECRET_LENGTH).toBe(32);
    expect(error.variable).toBe('ADMIN_CLIENT_SECRET');
    expect(error.message).toMatch(/^Invalid configuration: ADMIN_CLIENT_SECRET \S[^\r\n]*$/);
    expect(error.message).not.toContain(short);
  });

  it.each(['admin client', 'admin/root', 'a'.repeat(256), 'ädmin'])(
    'when ADMIN_CLIENT_ID is "%s" then start-up fails naming ADMIN_CLIENT_ID',
    (clientId) => {
      const error = invalidEnvironmentError(() =>
        parseAdminConfig({ ADMIN_CLIENT_ID: clientId, ADMIN_CLIENT_SECRET: SECRET }),
      );
      expect(error.variable).toBe('ADMIN_CLIENT_ID');
      expect(error.message).toMatch(/^Invalid configuration: ADMIN_CLIENT_ID \S[^\r\n]*$/);
    },
  );
});
