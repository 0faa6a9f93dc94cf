import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import '../../clients/client-metadata.dto.js';
import '../../users/user.dto.js';
import '../keys/keys-admin.controller.js';
import '../../trust/trusted-issuer.dto.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema?: Json) => ({
  description,
  ...(schema ? { content: json(schema) } : {}),
});
const pageOf = (item: string) => ({
  type: 'object',
  properties: { items: { type: 'array', items: ref(item) }, next_cursor: { type: 'string' } },
  required: ['items'],
});
const GUARDED = {
  '401': problem('no valid bearer token'),
  '403': problem('the token lacks scope admin'),
};
const pagination = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  { name: 'cursor', in: 'query', schema: { type: 'string' } },
];
const pathId = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const body = (schema: string, required = true) => ({ required, content: json(ref(schema)) });

/** The admin API as an OpenAPI 3.1 document; request schemas come from the class-validator DTOs. */
export function buildAdminOpenApi(issuer: string): Json {
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
  }) as Record<string, Json>;
  const claims = schemas.UserClaimsDto?.properties as Json | undefined;
  if (claims) claims.address = ref('AddressDto');
  const withFields = (base: string, properties: Json) => ({
    allOf: [ref(base), { type: 'object', properties }],
  });
  return {
    openapi: '3.1.0',
    info: { title: 'Identity service admin API', version: '1' },
    servers: [{ url: issuer }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'an access token of this service with scope admin (client_credentials)',
        },
      },
      schemas: {
        ...schemas,
        Client: withFields('ClientMetadataDto', {
          client_secret: { type: 'string' },
          client_id_issued_at: { type: 'integer' },
        }),
        User: withFields('UserClaimsDto', { id: { type: 'string' }, username: { type: 'string' } }),
        TrustedIssuer: withFields('CreateTrustedIssuerDto', {
          id: { type: 'string', format: 'uuid' },
          created_at: { type: 'integer', description: 'epoch seconds' },
        }),
        Consent: {
          type: 'object',
          properties: {
            client_id: { type: 'string' },
            scopes: { type: 'array', items: { type: 'string' } },
            granted_at: { type: 'integer', description: 'epoch seconds' },
          },
          required: ['client_id', 'scopes', 'granted_at'],
        },
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths: {
      '/admin/clients': {
        post: {
          summary: 'Register a client',
          requestBody: body('ClientMetadataDto'),
          responses: {
            '201': ok(
              'the client; client_secret for confidential clients, shown once',
              ref('Client'),
            ),
            '400': problem('invalid metadata'),
            '409': problem('client_id taken'),
            ...GUARDED,
          },
        },
        get: {
          summary: 'List clients',
          parameters: pagination,
          responses: { '200': ok('a page of clients', pageOf('Client')), ...GUARDED },
        },
      },
      '/admin/clients/{client_id}': {
        parameters: [pathId('client_id')],
        get: {
          summary: 'One client (never its secret)',
          responses: {
            '200': ok('the client', ref('Client')),
            '404': problem('no such client'),
            ...GUARDED,
          },
        },
        put: {
          summary: 'Replace metadata',
          requestBody: body('ClientMetadataDto'),
          responses: {
            '200': ok('the client', ref('Client')),
            '400': problem('invalid metadata'),
            '404': problem('no such client'),
            ...GUARDED,
          },
        },
        patch: {
          summary: 'Change metadata (JSON merge patch: null resets a field)',
          requestBody: body('ClientMetadataDto'),
          responses: {
            '200': ok('the client', ref('Client')),
            '400': problem('invalid metadata'),
            '404': problem('no such client'),
            ...GUARDED,
          },
        },
        delete: {
          summary: 'Delete a client; its tokens stop working',
          responses: { '204': ok('deleted'), '404': problem('no such client'), ...GUARDED },
        },
      },
      '/admin/clients/{client_id}/secret': {
        parameters: [pathId('client_id')],
        post: {
          summary: 'Generate a new secret (shown once)',
          responses: {
            '200': ok('the client with its new client_secret', ref('Client')),
            '400': problem('a public client has no secret'),
            '404': problem('no such client'),
            ...GUARDED,
          },
        },
      },
      '/admin/users': {
        post: {
          summary: 'Create a user',
          requestBody: body('CreateUserDto'),
          responses: {
            '201': ok('the user (never the password)', ref('User')),
            '400': problem('invalid fields'),
            '409': problem('username taken'),
            ...GUARDED,
          },
        },
        get: {
          summary: 'List users',
          parameters: pagination,
          responses: { '200': ok('a page of users', pageOf('User')), ...GUARDED },
        },
      },
      '/admin/users/{id}': {
        parameters: [pathId('id')],
        get: {
          summary: 'One user',
          responses: {
            '200': ok('the user', ref('User')),
            '404': problem('no such user'),
            ...GUARDED,
          },
        },
        patch: {
          summary: 'Change a user',
          requestBody: body('UpdateUserDto'),
          responses: {
            '200': ok('the user', ref('User')),
            '400': problem('invalid fields'),
            '404': problem('no such user'),
            ...GUARDED,
          },
        },
        delete: {
          summary: 'Delete a user and revoke their tokens',
          responses: { '204': ok('deleted'), '404': problem('no such user'), ...GUARDED },
        },
      },
      '/admin/users/{id}/consents': {
        parameters: [pathId('id')],
        get: {
          summary: "A user's remembered consents: each client and the scopes allowed it",
          responses: {
            '200': ok('the consents, oldest first', {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Consent') } },
              required: ['items'],
            }),
            '404': problem('no such user'),
            ...GUARDED,
          },
        },
      },
      '/admin/users/{id}/consents/{client_id}': {
        parameters: [pathId('id'), pathId('client_id')],
        delete: {
          summary:
            "Withdraw a consent; the client's refresh tokens and reference access tokens for the user are revoked",
          responses: {
            '204': ok('withdrawn'),
            '404': problem('no such user, or no consent of the user for the client'),
            ...GUARDED,
          },
        },
      },
      '/admin/trusted-issuers': {
        post: {
          summary:
            'Trust an issuer of JWT bearer grant assertions: its keys (jwks or jwks_uri, exactly one), and optionally the subjects and scopes it may assert',
          requestBody: body('CreateTrustedIssuerDto'),
          responses: {
            '201': ok('the trusted issuer', ref('TrustedIssuer')),
            '400': problem('invalid fields, each named'),
            '409': problem('the issuer is already trusted'),
            ...GUARDED,
          },
        },
        get: {
          summary: 'List trusted issuers',
          parameters: pagination,
          responses: {
            '200': ok('a page of trusted issuers', pageOf('TrustedIssuer')),
            ...GUARDED,
          },
        },
      },
      '/admin/trusted-issuers/{id}': {
        parameters: [pathId('id')],
        delete: {
          summary: 'Stop trusting an issuer; its assertions are refused from then on',
          responses: {
            '204': ok('deleted'),
            '404': problem('no such trusted issuer'),
            ...GUARDED,
          },
        },
      },
      '/admin/keys': {
        get: {
          summary: 'Signing keys, public parts only',
          responses: { '200': ok('the keys'), ...GUARDED },
        },
      },
      '/admin/keys/rotate': {
        post: {
          summary: 'Rotate signing keys (all algorithms, or the one named)',
          requestBody: body('RotateKeysDto', false),
          responses: { '200': ok('the keys after rotation'), ...GUARDED },
        },
      },
    },
  };
}
