/** Cookie parsing and Set-Cookie values (RFC 6265), small enough not to need a plugin. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export interface CookieOptions {
  readonly path: string;
  readonly secure: boolean;
  /** Seconds; absent = a browser-session cookie. */
  readonly maxAge?: number;
  readonly sameSite?: 'Lax' | 'Strict' | 'None';
}

/** An HttpOnly cookie; values are base64url handles, so they need no encoding. */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    `SameSite=${options.sameSite ?? 'Lax'}`,
  ];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  return parts.join('; ');
}

export function clearCookie(name: string, options: Omit<CookieOptions, 'maxAge'>): string {
  return setCookie(name, '', { ...options, maxAge: 0 });
}
