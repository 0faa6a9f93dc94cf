import { IsOptional, IsString, Matches, MaxLength, validateSync } from 'class-validator';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';
import { grantParams } from './grant-params.js';

class ExampleParams {
  @IsString() @MaxLength(8) code: string;
  @IsOptional() @IsString() @MaxLength(20) scope?: string;
}

/** A decorator the quick check does not know: class-validator judges every request. */
class PatternParams {
  @IsString() @Matches(/^[a-z]+$/) @MaxLength(8) code: string;
}

/** Decorators with options (groups then undefined in the metadata) and a message of their own. */
class MessageParams {
  @IsString({ message: 'a string, please' }) @MaxLength(8, { message: 'too long' }) code: string;
}

/** Whether class-validator itself accepts these parameters as an ExampleParams. */
function classValidatorAccepts(params: Record<string, string>): boolean {
  const instance = Object.assign(new ExampleParams(), params);
  return validateSync(instance, { forbidUnknownValues: true }).length === 0;
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

  it('accepts exactly what class-validator accepts, at and around every length limit', () => {
    const pair = '\u{1D11E}'; // one character, two UTF-16 code units
    const selector = '\uFE0F'; // a variation selector, which class-validator does not count
    const codes = [
      '',
      'a',
      'abcdefgh',
      'abcdefghi',
      pair.repeat(4),
      pair.repeat(5),
      pair.repeat(8),
      pair.repeat(9),
      `abcdefg${selector}`,
      `abcdefgh${selector}`,
      `abcdefgh${selector}${selector}`,
      'ü'.repeat(8),
      'ü'.repeat(9),
    ];
    const scopes = [
      undefined,
      '',
      'x'.repeat(20),
      'x'.repeat(21),
      pair.repeat(10),
      pair.repeat(11),
    ];
    let cases = 0;
    for (const code of [undefined, ...codes]) {
      for (const scope of scopes) {
        const params: Record<string, string> = {};
        if (code !== undefined) params.code = code;
        if (scope !== undefined) params.scope = scope;
        let accepted = true;
        try {
          grantParams(ExampleParams, params);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRequestError);
          accepted = false;
        }
        expect(accepted, JSON.stringify(params)).toBe(classValidatorAccepts(params));
        cases++;
      }
    }
    expect(cases).toBe(84);
  });

  it('when a DTO has a decorator beyond IsOptional, IsString and MaxLength then class-validator still judges it', () => {
    expect(grantParams(PatternParams, { code: 'abc' }).code).toBe('abc');
    expect(() => grantParams(PatternParams, { code: 'ABC' })).toThrow(InvalidRequestError);
    expect(() => grantParams(PatternParams, { code: 'abcdefghi' })).toThrow(InvalidRequestError);
  });

  it('when decorators carry options of their own then the quick check still holds and refusals still come', () => {
    expect(grantParams(MessageParams, { code: 'abc' }).code).toBe('abc');
    expect(() => grantParams(MessageParams, { code: 'abcdefghi' })).toThrow(InvalidRequestError);
    expect(() => grantParams(MessageParams, {})).toThrow(InvalidRequestError);
  });
});
