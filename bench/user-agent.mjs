// A browser without a browser (fetch, manual redirects, a cookie jar) that
// walks the real authorization endpoint of this service or of
// node-oidc-provider: it signs in (and consents) once, after which every
// authorization request of that client is answered at once with a code.
// The benchmark uses it to mint a pool of authorization codes (and, by
// redeeming some, refresh tokens) before a timed run.
import { createHash, randomBytes } from 'node:crypto';

const MAX_STEPS = 12;

function unescapeHtml(value) {
  return value
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function hiddenInputs(html) {
  const inputs = {};
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g,
  )) {
    inputs[unescapeHtml(name)] = unescapeHtml(value);
  }
  return inputs;
}

function formAction(html) {
  const action = /<form[^>]*\saction="([^"]*)"/.exec(html)?.[1];
  return action === undefined ? undefined : unescapeHtml(action);
}

/** RFC 7636: a fresh verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export class UserAgent {
  cookies = new Map();

  constructor(base, credentials) {
    this.base = base;
    this.credentials = credentials;
  }

  /** The Cookie header this agent sends. */
  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** An authorization request for a code with PKCE S256 (and a nonce when OpenID). */
  authorizationUrl({ authorizePath, clientId, redirectUri, scope, extra = {} }, challenge) {
    const url = new URL(authorizePath, this.base);
    const params = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state: randomBytes(8).toString('base64url'),
      ...(scope.split(' ').includes('openid')
        ? { nonce: randomBytes(8).toString('base64url') }
        : {}),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url;
  }

  async request(url, init = {}) {
    const cookie = this.cookieHeader();
    const response = await fetch(new URL(url, this.base), {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || attributes.some((attribute) => /^max-age=0$/i.test(attribute))) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    };
  }

  postForm(url, params) {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  }

  /**
   * The next request of a walk through one of the pages this agent knows,
   * or undefined when the page is none of them: this service's login,
   * consent and device verification forms, node-oidc-provider's development
   * interactions and its device forms (each of which carries its own xsrf
   * value, user code and confirmation as hidden inputs).
   */
  answer(response, userCode) {
    if (response.status >= 300 && response.status < 400 && response.location) {
      return this.request(new URL(response.location, this.base));
    }
    if (response.status !== 200 && response.status !== 401) return undefined;
    const action = formAction(response.text);
    if (action === undefined) return undefined;
    const hidden = hiddenInputs(response.text);
    switch (action) {
      case '/authorize/login':
      case '/device/login':
        return this.postForm(action, { ...hidden, ...this.credentials });
      case '/authorize/consent':
      case '/device/consent':
        return this.postForm(action, { ...hidden, decision: 'allow' });
      case '/device':
        // This service's verification page has the code in a visible input.
        if (hidden.csrf_token !== undefined)
          return this.postForm(action, { ...hidden, user_code: userCode });
        break;
      default:
        break;
    }
    if (hidden.xsrf !== undefined) return this.postForm(action, hidden);
    if (hidden.prompt === 'login') {
      return this.postForm(action, {
        prompt: 'login',
        login: this.credentials.username,
        password: this.credentials.password,
      });
    }
    if (hidden.prompt === 'consent') return this.postForm(action, { prompt: 'consent' });
    return undefined;
  }

  /**
   * Follows an authorization request to the client's redirect URI, signing
   * in and consenting on the way when a page asks, and returns the code.
   */
  async authorizationCode(authorizeUrl, redirectUri) {
    let response = await this.request(authorizeUrl);
    for (let step = 0; step < MAX_STEPS; step++) {
      if (response.status >= 300 && response.status < 400 && response.location) {
        const target = new URL(response.location, this.base);
        if (target.href.startsWith(redirectUri)) {
          const code = target.searchParams.get('code');
          if (code === null) throw new Error(`no code in ${target.href}`);
          return code;
        }
      }
      const next = this.answer(response);
      if (next === undefined) break;
      response = await next;
    }
    throw new Error(
      `the authorization request did not end at the redirect URI: ${response.status} ${response.location ?? ''} ${response.text.slice(0, 300)}`,
    );
  }

  /**
   * Approves a device code (RFC 8628 §3.3) at its verification_uri_complete:
   * enters the code, signs in when asked, allows, and stops at the page
   * without a form that says it is done (whether it is, the redemption tells).
   */
  async approveDevice(verificationUriComplete, userCode) {
    let response = await this.request(verificationUriComplete);
    for (let step = 0; step < MAX_STEPS; step++) {
      const next = this.answer(response, userCode);
      if (next === undefined) {
        if (response.status === 200) return;
        break;
      }
      response = await next;
    }
    throw new Error(
      `the device approval did not end on a closing page: ${response.status} ${response.location ?? ''} ${response.text.slice(0, 300)}`,
    );
  }

  /**
   * `count` codes of one client (fewer if the deadline passes first), each
   * with its own PKCE verifier, minted `concurrency` at a time.
   */
  async mintCodes(request, count, deadline = Infinity, concurrency = 16) {
    const codes = [];
    const one = async () => {
      const { verifier, challenge } = pkcePair();
      const url = this.authorizationUrl(request, challenge);
      codes.push({ code: await this.authorizationCode(url, request.redirectUri), verifier });
    };
    // The first request signs in and consents; the rest go straight through.
    if (count > 0) await one();
    let next = 1;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && Date.now() < deadline) {
          next++;
          await one();
        }
      }),
    );
    return codes;
  }
}
