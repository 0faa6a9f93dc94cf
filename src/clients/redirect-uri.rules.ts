const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost');
}

/**
 * Why a redirect URI is unacceptable for a client, or undefined when it is fine.
 * RFC 6749 §3.1.2 (absolute, no fragment), OpenID Connect Registration §2
 * (web + implicit: https and not localhost), RFC 8252 §7 (native apps:
 * private-use schemes or http loopback), and the security BCP (no plain http
 * off the loopback interface).
 */
export function redirectUriProblem(
  uri: string,
  client: { applicationType: 'web' | 'native'; usesImplicit: boolean },
): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URI`;
  }
  if (uri.includes('#')) return `"${uri}" must not have a fragment`;
  const scheme = url.protocol.slice(0, -1);
  const loopback = isLoopbackHost(url.hostname);
  if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript' || scheme === 'file') {
    return `"${uri}" uses a forbidden scheme`;
  }
  if (client.applicationType === 'web') {
    if (scheme !== 'https' && scheme !== 'http') {
      return `"${uri}": web clients must use https redirect URIs`;
    }
    if (client.usesImplicit && (scheme !== 'https' || loopback)) {
      return `"${uri}": web clients of implicit or hybrid flows must use https and not a loopback host`;
    }
    if (scheme === 'http' && !loopback) {
      return `"${uri}": http is only allowed for loopback hosts; use https`;
    }
    return undefined;
  }
  // native
  if (scheme === 'http' && !loopback) {
    return `"${uri}": native clients may use http only with a loopback host`;
  }
  return undefined;
}

/** An origin as CORS compares it: scheme, host and optional port, nothing else. */
export function originProblem(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin) {
      return undefined;
    }
  } catch {
    // falls through
  }
  return `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`;
}

export function httpsUrlProblem(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      return undefined;
    }
  } catch {
    // falls through
  }
  return `"${value}" must be an https URL`;
}
