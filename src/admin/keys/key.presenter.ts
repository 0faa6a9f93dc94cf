import type { SigningKeyEntity } from '../../keys/signing-key.entity.js';

const seconds = (ms: number | null) => (ms === null ? undefined : Math.floor(ms / 1000));

/** Public parts only: the private key never leaves KeysService. */
export function presentKey(key: SigningKeyEntity): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    public_jwk: key.publicJwk,
    created_at: seconds(key.createdAt),
    activated_at: seconds(key.activatedAt),
    retired_at: seconds(key.retiredAt),
    retain_until: seconds(key.retainUntil),
  };
}
