import { IsOptional, IsString, MaxLength } from 'class-validator';

const MAX_TOKEN_LENGTH = 8192;
const MAX_URI_LENGTH = 2000;

/**
 * RFC 8693 §2.1 request parameters. audience and resource may repeat in the
 * RFC, but this service's form parsing refuses repeated parameters: one each.
 */
export class TokenExchangeParams {
  @IsString() @MaxLength(MAX_TOKEN_LENGTH) subject_token: string;
  @IsString() @MaxLength(MAX_URI_LENGTH) subject_token_type: string;
  @IsOptional() @IsString() @MaxLength(MAX_TOKEN_LENGTH) actor_token?: string;
  @IsOptional() @IsString() @MaxLength(MAX_URI_LENGTH) actor_token_type?: string;
  @IsOptional() @IsString() @MaxLength(MAX_URI_LENGTH) requested_token_type?: string;
  @IsOptional() @IsString() @MaxLength(MAX_URI_LENGTH) audience?: string;
  @IsOptional() @IsString() @MaxLength(MAX_URI_LENGTH) resource?: string;
  @IsOptional() @IsString() @MaxLength(2000) scope?: string;
}
