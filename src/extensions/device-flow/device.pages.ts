import { escapeHtml, hiddenInput, page, type Page } from '../../authorize/pages/html.js';

export interface UserCodePageInput {
  readonly csrf: string;
  /** Pre-filled (verification_uri_complete), or what the user typed. */
  readonly userCode?: string;
  readonly error?: string;
}

/** The verification_uri page (CONTRACT.md): a form with input `user_code` and one submit button. */
export function userCodePage(input: UserCodePageInput, status = 200): Page {
  const error =
    input.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(input.error)}</p>`;
  return page(
    status,
    'Connect a device',
    `<h1>Connect a device</h1>
<p class="sub">Enter the code shown on your device.</p>
${error}
<form method="post" action="/device">
${hiddenInput('csrf_token', input.csrf)}
<label for="user_code">Code</label>
<input id="user_code" type="text" name="user_code" required autofocus autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" placeholder="XXXX-XXXX" value="${escapeHtml(input.userCode ?? '')}">
<div class="actions"><button type="submit">Continue</button></div>
</form>`,
  );
}

export function deviceConnectedPage(clientName: string): Page {
  return page(
    200,
    'Device connected',
    `<h1>Device connected</h1>
<p class="sub"><strong>${escapeHtml(clientName)}</strong> is now connected. You can return to your device.</p>`,
  );
}

export function deviceDeniedPage(clientName: string): Page {
  return page(
    200,
    'Access denied',
    `<h1>Access denied</h1>
<p class="sub"><strong>${escapeHtml(clientName)}</strong> was not connected. You can close this window.</p>`,
  );
}
