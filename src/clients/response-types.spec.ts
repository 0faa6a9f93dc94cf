import { familyOf, normalizeResponseType } from './response-types.js';

describe('normalizeResponseType', () => {
  it.each([
    ['code', 'code'],
    ['token code', 'code token'],
    ['token id_token', 'id_token token'],
    ['id_token code', 'code id_token'],
    ['token id_token code', 'code id_token token'],
    ['id_token token code', 'code id_token token'],
    ['  code   id_token ', 'code id_token'],
  ])('when the response type is "%s" then its canonical spelling is "%s"', (given, canonical) => {
    expect(normalizeResponseType(given)).toBe(canonical);
  });

  it.each(['code code', 'code magic', 'none', 'CODE', ''])(
    'when the response type is "%s" then it is left as given',
    (given) => {
      expect(normalizeResponseType(given)).toBe(given);
    },
  );
});

describe('familyOf', () => {
  it.each([
    ['code', 'code'],
    ['id_token', 'implicit'],
    ['token', 'implicit'],
    ['id_token token', 'implicit'],
    ['token id_token', 'implicit'],
    ['code id_token', 'hybrid'],
    ['code token', 'hybrid'],
    ['token code', 'hybrid'],
    ['code id_token token', 'hybrid'],
    ['id_token code token', 'hybrid'],
  ])('when the response type is "%s" then the family is %s', (responseType, family) => {
    expect(familyOf(responseType)).toBe(family);
  });

  it.each(['none', 'code code', 'magic', '', 'Code'])(
    'when the response type is "%s" then it has no family',
    (responseType) => {
      expect(familyOf(responseType)).toBeUndefined();
    },
  );
});
