import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { EXCHANGEABLE_TOKEN_TYPES } from './client-metadata.js';
import { SIGNING_ALGORITHMS } from '../keys/signing-algorithm.js';

/** Client ids travel in HTTP Basic and URLs: unreserved characters only. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{1,255}$/;
/** RFC 6749 §3.3 scope-token characters, space-separated. */
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$|^$/;
const MAX_URIS = 50;
const MAX_URI_LENGTH = 2000;

/** A client's RFC 8693 token exchange policy (this service's own field `token_exchange`). */
export class TokenExchangePolicyDto {
  @IsArray()
  @ArrayMaxSize(EXCHANGEABLE_TOKEN_TYPES.length)
  @IsIn(EXCHANGEABLE_TOKEN_TYPES, { each: true })
  allowed_subject_token_types: string[];

  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(MAX_URI_LENGTH, { each: true })
  allowed_audiences: string[];

  @IsBoolean()
  allow_impersonation: boolean;

  @IsBoolean()
  allow_delegation: boolean;
}

/**
 * Client metadata as the admin API accepts it. Unknown fields are refused
 * (the pipe sets forbidNonWhitelisted); cross-field rules live in
 * client-metadata.rules.ts.
 */
export class ClientMetadataDto {
  @IsOptional()
  @IsString()
  @Matches(CLIENT_ID_PATTERN, { message: 'must be 1 to 255 characters of A-Z a-z 0-9 . _ ~ -' })
  client_id?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  client_name?: string;

  @IsOptional()
  @IsIn(['web', 'native'])
  application_type?: 'web' | 'native';

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  grant_types?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  response_types?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @IsString({ each: true })
  @MaxLength(MAX_URI_LENGTH, { each: true })
  redirect_uris?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @IsString({ each: true })
  @MaxLength(MAX_URI_LENGTH, { each: true })
  post_logout_redirect_uris?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(SCOPE_PATTERN, { message: 'must be space-separated scope tokens (RFC 6749 §3.3)' })
  scope?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  token_endpoint_auth_method?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  token_endpoint_auth_signing_alg?: string;

  @IsOptional()
  @IsObject()
  jwks?: { keys: Record<string, unknown>[] };

  @IsOptional()
  @IsString()
  @MaxLength(MAX_URI_LENGTH)
  jwks_uri?: string;

  @IsOptional()
  @IsIn(['RS256', 'ES256'])
  id_token_signed_response_alg?: 'RS256' | 'ES256';

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366 * 24 * 3600)
  default_max_age?: number;

  @IsOptional()
  @IsBoolean()
  require_auth_time?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_URI_LENGTH)
  client_uri?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_URI_LENGTH)
  logo_uri?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_URI_LENGTH)
  policy_uri?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_URI_LENGTH)
  tos_uri?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsEmail({}, { each: true })
  @MaxLength(254, { each: true })
  contacts?: string[];

  @IsOptional()
  @IsIn(['jwt', 'reference'])
  access_token_format?: 'jwt' | 'reference';

  @IsOptional()
  @IsIn(SIGNING_ALGORITHMS)
  access_token_signed_response_alg?: (typeof SIGNING_ALGORITHMS)[number];

  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  access_token_ttl?: number;

  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(366 * 24 * 3600)
  refresh_token_ttl?: number;

  @IsOptional()
  @IsIn(['absolute', 'sliding'])
  refresh_token_expiration?: 'absolute' | 'sliding';

  @IsOptional()
  @IsIn(['one_time', 'reuse'])
  refresh_token_usage?: 'one_time' | 'reuse';

  @IsOptional()
  @IsBoolean()
  require_pkce?: boolean;

  @IsOptional()
  @IsBoolean()
  require_consent?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  allowed_cors_origins?: string[];

  /** A quota on this client's requests to the back-channel endpoints; absent: none. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rate_limit_per_second?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TokenExchangePolicyDto)
  token_exchange?: TokenExchangePolicyDto;
}
