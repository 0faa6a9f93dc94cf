import { IsOptional, IsString, MaxLength } from 'class-validator';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';
import { grantParams } from './grant-params.js';

class ExampleParams {
  @IsString() @MaxLength(8) code: string;
  @IsOptional() @IsString() @MaxLength(20) scope?: string;
}

function refusal(params: Record<string, string>): InvalidRequestError {
  try {
    grantParams(ExampleParams, params);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected invalid_request');
}

describe('grantParams', () => {
  it('copies the declared parameters into an instance of the DTO and ignores the others', () => {
    // As the form parser hands them over: own keys, __proto__ and constructor included.
    const form = JSON.parse(
      '{"code":"abc","scope":"read","grant_type":"x","__proto__":"polluted","constructor":"nope"}',
    ) as Record<string, string>;
    const params = grantParams(ExampleParams, form);
    expect(params).toBeInstanceOf(ExampleParams);
    expect(Object.entries(params)).toEqual([
      ['code', 'abc'],
      ['scope', 'read'],
    ]);
    expect(Object.getPrototypeOf(params)).toBe(ExampleParams.prototype);
  });

  it('leaves an optional parameter out when it is absent', () => {
    const params = grantParams(ExampleParams, { code: 'abc' });
    expect(params.code).toBe('abc');
    expect(params.scope).toBeUndefined();
  });

  it('when a required parameter is missing then invalid_request says it is required', () => {
    const error = refusal({ scope: 'read' });
    expect(error.error).toBe('invalid_request');
    expect(error.description).toBe('code is required');
  });

  it('when a parameter breaks its rule then invalid_request names it as invalid', () => {
    expect(refusal({ code: 'much too long' }).description).toBe('code is invalid');
    expect(refusal({ code: 'abc', scope: 'x'.repeat(21) }).description).toBe('scope is invalid');
  });
});
