import { randomBytes } from 'node:crypto';
import type { HttpResult, RegisteredClient, TestApp } from '../../support/test-app.js';
import {
  type AgentResponse,
  alertText,
  formAction,
  hiddenInputs,
  UserAgent,
} from '../authorize/user-agent.js';
import { handleHash } from '../grants/persisted-grant-rows.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const PASSWORD = 'correct horse battery staple';
/** RFC 8628 §6.1: XXXX-XXXX of twenty consonants. */
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
export const WRONG_CODE = 'That code is not valid or has expired. Check the code on your device.';
export const CSRF_FAILED = 'The form was not submitted from this site (CSRF check failed).';

/** What the store keeps for a user code: the SHA-256 of its handle (code without dash). */
export function userCodeHash(userCode: string): string {
  return handleHash(`device_user_code:${userCode.replace('-', '')}`);
}

export async function newUser(service: TestApp): Promise<{ id: string; username: string }> {
  const username = `user-${randomBytes(4).toString('hex')}`;
  const user = await service.createUser({ username, password: PASSWORD });
  return { id: user.id, username };
}

/** POST /device_authorization as `client` (Basic for confidential clients, client_id for public ones). */
export function deviceAuthorization(
  service: TestApp,
  client: RegisteredClient,
  params: Record<string, string> = {},
): Promise<HttpResult> {
  return client.client_secret === undefined
    ? service.postForm('/device_authorization', { client_id: client.client_id, ...params })
    : service.postForm('/device_authorization', params, {
        basic: [client.client_id, client.client_secret],
      });
}

/** A poll of the token endpoint with a device code. */
export function poll(
  service: TestApp,
  client: RegisteredClient,
  deviceCode: string,
): Promise<HttpResult> {
  const params = { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode };
  return client.client_secret === undefined
    ? service.postForm('/token', { ...params, client_id: client.client_id })
    : service.postForm('/token', params, { basic: [client.client_id, client.client_secret] });
}

/** The verification page's form with a code typed in, after opening the page. */
export async function enterCode(agent: UserAgent, userCode: string): Promise<AgentResponse> {
  const page = await agent.get('/device');
  return agent.postForm('/device', {
    csrf_token: hiddenInputs(page.text).csrf_token!,
    user_code: userCode,
  });
}

/** Goes through the code entry, login and consent pages; returns the last page. */
export async function decide(
  agent: UserAgent,
  userCode: string,
  user: { username: string },
  decision: 'allow' | 'deny',
): Promise<AgentResponse> {
  let page = await enterCode(agent, userCode);
  if (formAction(page.text) === '/device/login') {
    page = await agent.postForm('/device/login', {
      ...hiddenInputs(page.text),
      username: user.username,
      password: PASSWORD,
    });
  }
  expect({
    status: page.status,
    action: formAction(page.text),
    alert: alertText(page.text),
  }).toEqual({ status: 200, action: '/device/consent', alert: undefined });
  return agent.postForm('/device/consent', { ...hiddenInputs(page.text), decision });
}

/** The visible heading of a page. */
export function headingOf(page: AgentResponse): string | undefined {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1];
}
