/** Longest error_description sent: it may echo a parameter's name, and go into a redirect's Location. */
export const MAX_ERROR_DESCRIPTION_LENGTH = 300;

/**
 * An error_description as RFC 6749 allows it (§4.1.2.1, §5.2: only
 * %x20-21 / %x23-5B / %x5D-7E, so no double quote, backslash, control or
 * non-ASCII character), and short. Descriptions name what was wrong, which
 * can be an attacker's text: a parameter name of 19,000 characters once went
 * whole into an error redirect's Location header, which user agents refuse.
 * A double quote becomes a single one, a backslash a slash, anything else
 * outside the set "?", and a longer text is cut with "...".
 */
export function errorDescription(text: string): string {
  const allowed = text
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[^\x20-\x7e]/gu, '?');
  return allowed.length > MAX_ERROR_DESCRIPTION_LENGTH
    ? `${allowed.slice(0, MAX_ERROR_DESCRIPTION_LENGTH - 3)}...`
    : allowed;
}
