import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ProblemError } from '../common/problem/problem.error.js';
import { toFieldErrors } from '../common/problem/validation-errors.js';
import { ClientAuthenticatorRegistry } from './authentication/client-authenticator.registry.js';
import { CLIENT_DEFAULTS, type ClientMetadata } from './client-metadata.js';
import { ClientMetadataDto } from './client-metadata.dto.js';
import { checkClientMetadata } from './client-metadata.rules.js';
import { normalizeResponseType } from './response-types.js';

export interface ValidatedClientMetadata {
  readonly clientId: string | undefined;
  readonly metadata: ClientMetadata;
}

/**
 * Turns an admin request body into complete client metadata, or throws a
 * problem naming every invalid field. Creation, replacement and patches
 * all pass through here, so they obey the same rules.
 */
@Injectable()
export class ClientMetadataValidator {
  constructor(private readonly authenticators: ClientAuthenticatorRegistry) {}

  validate(body: unknown, supportedGrantTypes: ReadonlySet<string>): ValidatedClientMetadata {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ProblemError.badRequest('the body must be a JSON object of client metadata');
    }
    const dto = plainToInstance(ClientMetadataDto, body);
    const fieldErrors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (fieldErrors.length > 0) {
      throw ProblemError.badRequest('invalid client metadata', toFieldErrors(fieldErrors));
    }
    const { client_id: clientId, ...given } = dto;
    const metadata = withDefaults(given);
    const ruleErrors = checkClientMetadata(metadata, {
      grantTypes: supportedGrantTypes,
      authMethods: new Set(this.authenticators.methods()),
      authSigningAlgorithms: this.authenticators.signingAlgorithmsByMethod(),
    });
    if (ruleErrors.length > 0) throw ProblemError.badRequest('invalid client metadata', ruleErrors);
    return { clientId, metadata };
  }
}

function withDefaults(given: Omit<ClientMetadataDto, 'client_id'>): ClientMetadata {
  // A field given as null is absent, as in a merge patch: it takes its default.
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined && value !== null),
  ) as Partial<ClientMetadata>;
  const grantTypes = unique(defined.grant_types ?? [...CLIENT_DEFAULTS.grant_types]);
  const defaultResponseTypes =
    grantTypes.includes('authorization_code') && !grantTypes.includes('implicit') ? ['code'] : [];
  return {
    ...CLIENT_DEFAULTS,
    ...defined,
    grant_types: grantTypes,
    response_types: unique(
      (defined.response_types ?? defaultResponseTypes).map(normalizeResponseType),
    ),
    redirect_uris: unique(defined.redirect_uris ?? []),
    post_logout_redirect_uris: unique(defined.post_logout_redirect_uris ?? []),
    allowed_cors_origins: unique(defined.allowed_cors_origins ?? []),
    scope: unique((defined.scope ?? '').split(' ').filter((scope) => scope !== '')).join(' '),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
