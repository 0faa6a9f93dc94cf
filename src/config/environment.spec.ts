import { InvalidEnvironmentError, optionalString, readPort } from './environment.js';

describe('InvalidEnvironmentError', () => {
  it('when created then its message is one line naming the variable', () => {
    const error = new InvalidEnvironmentError('PORT', 'must be a number');
    expect(error.message).toBe('Invalid configuration: PORT must be a number');
    expect(error.variable).toBe('PORT');
    expect(error.name).toBe('InvalidEnvironmentError');
  });

  it('when the reason quotes a value with line breaks then they are escaped', () => {
    const error = new InvalidEnvironmentError('PORT', 'got "a\nb\r\nc\u2028d\ve"');
    expect(error.message).toBe('Invalid configuration: PORT got "a\\nb\\r\\nc\\u2028d\\u000be"');
  });
});

describe('optionalString', () => {
  it('when the variable is unset, empty or blank then it is undefined', () => {
    expect(optionalString({}, 'X')).toBeUndefined();
    expect(optionalString({ X: '' }, 'X')).toBeUndefined();
    expect(optionalString({ X: ' \t ' }, 'X')).toBeUndefined();
  });

  it('when the variable has surrounding spaces then they are trimmed', () => {
    expect(optionalString({ X: '  value  ' }, 'X')).toBe('value');
  });
});

describe('readPort', () => {
  it('when PORT is unset then it is 3000', () => {
    expect(readPort({})).toBe(3000);
  });
});
