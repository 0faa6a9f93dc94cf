import { escapeHtml, hiddenInput, page, type Page } from './html.js';

/** An error that must not be redirected to the client (unknown client, bad redirect URI, expired page). */
export function errorPage(description: string, status = 400): Page {
  return page(
    status,
    'Request not processed',
    `<h1>This request cannot be processed</h1><p class="error" role="alert">${escapeHtml(description)}</p>
<p class="sub">Return to the application and try again.</p>`,
  );
}

/** OAuth 2.0 Form Post Response Mode: an auto-submitting form, with a button when scripts do not run. */
export function formPostPage(
  action: string,
  params: Readonly<Record<string, string>>,
  formAction: string,
): Page {
  const inputs = Object.entries(params)
    .map(([name, value]) => hiddenInput(name, value))
    .join('');
  return page(
    200,
    'Continue',
    `<form method="post" action="${escapeHtml(action)}">${inputs}
<p class="sub">Continuing to the application…</p>
<noscript><button type="submit">Continue</button></noscript></form>`,
    { formActions: [formAction], script: 'document.forms[0].submit();' },
  );
}

export function signedOutPage(): Page {
  return page(
    200,
    'Signed out',
    '<h1>You are signed out</h1><p class="sub">You can close this window.</p>',
  );
}

/** RP-Initiated Logout §2: without a valid id_token_hint the user confirms. */
export function confirmSignOutPage(
  params: Readonly<Record<string, string>>,
  csrf: string,
  formActions: readonly string[],
): Page {
  const inputs = Object.entries(params)
    .map(([name, value]) => hiddenInput(name, value))
    .join('');
  return page(
    200,
    'Sign out',
    `<h1>Sign out?</h1><p class="sub">You will be signed out of this identity service.</p>
<form method="post" action="/end_session/confirm">${inputs}${hiddenInput('csrf_token', csrf)}
<div class="actions"><button type="submit">Sign out</button></div></form>`,
    { formActions },
  );
}
