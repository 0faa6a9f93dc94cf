/** RFC 6749 §5.1: token responses (and anything carrying a secret) must not be cached. */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
} as const;
