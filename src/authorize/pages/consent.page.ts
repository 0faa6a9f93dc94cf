import { escapeHtml, hiddenInput, page, type Page } from './html.js';

const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account',
  profile: 'See your name and basic profile',
  email: 'See your email address',
  address: 'See your postal address',
  phone: 'See your phone number',
  offline_access: 'Keep access while you are not using it',
};

export interface ConsentPageInput {
  readonly clientName: string;
  readonly scopes: readonly string[];
  /** Where the form posts; the authorization endpoint's consent by default. */
  readonly action?: string;
  /** A warning shown above the buttons (e.g. the device flow's, RFC 8628 §5.4). */
  readonly notice?: string;
  /** The flow's state the form carries back, as the hidden field `interaction`. */
  readonly interaction: string;
  readonly csrf: string;
  readonly formActions: readonly string[];
}

/** The consent page (CONTRACT.md): the client and scopes, buttons decision=allow / decision=deny. */
export function consentPage(input: ConsentPageInput): Page {
  const scopes = input.scopes
    .map((scope) => {
      const description = SCOPE_DESCRIPTIONS[scope];
      return `<li>${description === undefined ? '' : `${escapeHtml(description)} `}<code>${escapeHtml(scope)}</code></li>`;
    })
    .join('');
  return page(
    200,
    'Allow access',
    `<h1>Allow access?</h1>
<p class="sub"><strong>${escapeHtml(input.clientName)}</strong> asks to:</p>
<ul class="scopes">${scopes || '<li>Sign you in</li>'}</ul>
${input.notice === undefined ? '' : `<p class="sub">${escapeHtml(input.notice)}</p>\n`}<form method="post" action="${escapeHtml(input.action ?? '/authorize/consent')}">
${hiddenInput('interaction', input.interaction)}${hiddenInput('csrf_token', input.csrf)}
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div>
</form>`,
    { formActions: input.formActions },
  );
}
