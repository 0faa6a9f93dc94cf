import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Printable, no whitespace: an identifier compared exactly. */
const IDENTIFIER = /^[^\s\p{Cc}]+$/u;

/**
 * A trusted issuer as POST /admin/trusted-issuers takes it. Unknown fields
 * are refused; exactly one of jwks and jwks_uri is checked by the service.
 */
export class CreateTrustedIssuerDto {
  @IsString()
  @MaxLength(1000)
  @Matches(IDENTIFIER, { message: 'issuer must be a non-empty identifier without whitespace' })
  issuer: string;

  @IsOptional()
  @IsObject()
  jwks?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  jwks_uri?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  @Matches(IDENTIFIER, { each: true, message: 'each subject must be without whitespace' })
  allowed_subjects?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  @Matches(SCOPE_TOKEN, { each: true, message: 'each scope must be a scope token (RFC 6749 §3.3)' })
  allowed_scopes?: string[];
}
