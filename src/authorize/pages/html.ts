import { randomBytes } from 'node:crypto';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface Page {
  readonly status: number;
  readonly html: string;
  readonly headers: Record<string, string>;
}

/**
 * Where this page's forms (and the redirects that answer them) may go: CSP
 * form-action is enforced on redirects too, so the client's redirect URI
 * must be allowed beside 'self'.
 */
export function formActionSource(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
  main { max-width: 380px; margin: 8vh auto; background: #fff; padding: 32px; border-radius: 12px;
         box-shadow: 0 2px 12px rgba(0,0,0,.08); }
  h1 { font-size: 22px; margin: 0 0 4px; }
  p.sub { color: #5a6275; margin: 0 0 24px; }
  label { display: block; font-weight: 600; margin: 16px 0 6px; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 10px 12px;
         border: 1px solid #c5cad3; border-radius: 8px; font: inherit; }
  button { font: inherit; padding: 10px 16px; border-radius: 8px; border: 1px solid #2952cc;
           background: #2952cc; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #2952cc; }
  .actions { display: flex; gap: 12px; margin-top: 24px; }
  .actions button { flex: 1; }
  .error { background: #fdecec; color: #9b1c1c; padding: 10px 12px; border-radius: 8px; margin-bottom: 8px; }
  ul.scopes { padding-left: 20px; } ul.scopes li { margin: 6px 0; }
  code { background: #eef0f4; padding: 1px 5px; border-radius: 4px; }
`;

/** A complete page with the headers every interactive page carries. */
export function page(
  status: number,
  title: string,
  body: string,
  options: { formActions?: readonly string[]; script?: string } = {},
): Page {
  const nonce = randomBytes(16).toString('base64');
  const script =
    options.script === undefined ? '' : `<script nonce="${nonce}">${options.script}</script>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main>${script}</body></html>`;
  const formActions = ["'self'", ...(options.formActions ?? [])].join(' ');
  return {
    status,
    html,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formActions}; frame-ancestors 'none'; base-uri 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  };
}

export function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
