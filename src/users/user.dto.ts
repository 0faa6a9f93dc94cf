import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class AddressDto {
  @IsOptional() @IsString() @MaxLength(500) formatted?: string;
  @IsOptional() @IsString() @MaxLength(255) street_address?: string;
  @IsOptional() @IsString() @MaxLength(255) locality?: string;
  @IsOptional() @IsString() @MaxLength(255) region?: string;
  @IsOptional() @IsString() @MaxLength(32) postal_code?: string;
  @IsOptional() @IsString() @MaxLength(255) country?: string;
}

/** OpenID Connect Core §5.1 standard claims an administrator may set. */
export class UserClaimsDto {
  @IsOptional() @IsString() @MaxLength(255) name?: string;
  @IsOptional() @IsString() @MaxLength(255) given_name?: string;
  @IsOptional() @IsString() @MaxLength(255) family_name?: string;
  @IsOptional() @IsString() @MaxLength(255) middle_name?: string;
  @IsOptional() @IsString() @MaxLength(255) nickname?: string;
  @IsOptional() @IsString() @MaxLength(255) preferred_username?: string;
  @IsOptional() @IsString() @MaxLength(2000) profile?: string;
  @IsOptional() @IsString() @MaxLength(2000) picture?: string;
  @IsOptional() @IsString() @MaxLength(2000) website?: string;
  @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @IsOptional() @IsBoolean() email_verified?: boolean;
  @IsOptional() @IsString() @MaxLength(64) gender?: string;
  @IsOptional()
  @Matches(/^\d{4}(-\d{2}-\d{2})?$/, { message: 'birthdate must be YYYY-MM-DD or YYYY' })
  birthdate?: string;
  @IsOptional() @IsString() @MaxLength(64) zoneinfo?: string;
  @IsOptional() @IsString() @MaxLength(35) locale?: string;
  @IsOptional()
  @Matches(/^\+?[0-9 ()./-]{3,32}(;ext=\d{1,10})?$/, {
    message: 'phone_number must be a telephone number',
  })
  phone_number?: string;
  @IsOptional() @IsBoolean() phone_number_verified?: boolean;
  @IsOptional() @ValidateNested() @Type(() => AddressDto) address?: AddressDto;
}

export const USERNAME_PATTERN = /^[^\s\p{Cc}]{1,255}$/u;
export const MIN_PASSWORD_LENGTH = 8;

export class CreateUserDto extends UserClaimsDto {
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 1 to 255 characters without spaces or control characters',
  })
  username: string;

  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1024)
  password: string;
}

/** Absent is fine; null is not: a user always has a username and a password. */
const IsOptionalButNotNull = () => ValidateIf((_object, value: unknown) => value !== undefined);

export class UpdateUserDto extends UserClaimsDto {
  @IsOptionalButNotNull()
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 1 to 255 characters without spaces or control characters',
  })
  username?: string;

  @IsOptionalButNotNull()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1024)
  password?: string;
}
