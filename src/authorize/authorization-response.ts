import type { FastifyReply } from 'fastify';
import type { ResponseTarget } from './authorization-request.js';
import { formActionSource, type Page } from './pages/html.js';
import { formPostPage } from './pages/message.page.js';

/** Sends a page, with any cookies. */
export function sendPage(reply: FastifyReply, page: Page, cookies: readonly string[] = []): void {
  void reply.status(page.status).headers(page.headers);
  if (cookies.length > 0) void reply.header('Set-Cookie', [...cookies]);
  void reply.send(page.html);
}

/**
 * Sends an authorization response (or error) to the client in its response
 * mode: query or fragment by a 303 redirect, form_post by an HTML form
 * (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode §2).
 */
export function sendAuthorizationResponse(
  reply: FastifyReply,
  target: ResponseTarget,
  params: Readonly<Record<string, string>>,
  cookies: readonly string[] = [],
): void {
  if (target.responseMode === 'form_post') {
    sendPage(
      reply,
      formPostPage(target.redirectUri, params, formActionSource(target.redirectUri)),
      cookies,
    );
    return;
  }
  const encoded = new URLSearchParams(params).toString();
  const location =
    target.responseMode === 'fragment'
      ? `${target.redirectUri}#${encoded}`
      : `${target.redirectUri}${target.redirectUri.includes('?') ? '&' : '?'}${encoded}`;
  if (cookies.length > 0) void reply.header('Set-Cookie', [...cookies]);
  void reply
    .status(303)
    .headers({
      Location: location,
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'Referrer-Policy': 'no-referrer',
    })
    .send();
}
