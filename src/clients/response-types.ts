/** The front-channel families a client may use: one of them, never two. */
export type FrontChannelFamily = 'code' | 'implicit' | 'hybrid';

const FAMILIES: Readonly<Record<string, FrontChannelFamily>> = {
  code: 'code',
  id_token: 'implicit',
  'id_token token': 'implicit',
  token: 'implicit',
  'code id_token': 'hybrid',
  'code token': 'hybrid',
  'code id_token token': 'hybrid',
};

const WORD_ORDER = ['code', 'id_token', 'token'];

/** Response types are unordered word sets (OAuth 2.0 Multiple Response Types §3); this is their canonical spelling. */
export function normalizeResponseType(value: string): string {
  const words = value.split(' ').filter((word) => word !== '');
  const known = words.every((word) => WORD_ORDER.includes(word));
  if (!known || new Set(words).size !== words.length) return value;
  return words.sort((a, b) => WORD_ORDER.indexOf(a) - WORD_ORDER.indexOf(b)).join(' ');
}

export function familyOf(responseType: string): FrontChannelFamily | undefined {
  return FAMILIES[normalizeResponseType(responseType)];
}
