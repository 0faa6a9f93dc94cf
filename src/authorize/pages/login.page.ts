import { escapeHtml, hiddenInput, page, type Page } from './html.js';

export interface LoginPageInput {
  readonly clientName: string;
  /** Where the form posts; the authorization endpoint's login by default. */
  readonly action?: string;
  /** The flow's state the form carries back, as the hidden field `interaction`. */
  readonly interaction: string;
  readonly csrf: string;
  readonly username?: string;
  readonly error?: string;
  readonly formActions: readonly string[];
}

/** The login page (CONTRACT.md): inputs `username` and `password`, one submit button. */
export function loginPage(input: LoginPageInput, status = 200): Page {
  const error =
    input.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(input.error)}</p>`;
  return page(
    status,
    'Sign in',
    `<h1>Sign in</h1>
<p class="sub">to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(input.action ?? '/authorize/login')}">
${hiddenInput('interaction', input.interaction)}${hiddenInput('csrf_token', input.csrf)}
<label for="username">Username</label>
<input id="username" type="text" name="username" autocomplete="username" required autofocus value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`,
    { formActions: input.formActions },
  );
}
