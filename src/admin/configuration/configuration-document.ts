/** What `config:export` writes and `config:import` reads. */
export const CONFIGURATION_KIND = 'identity-service/configuration';
export const CONFIGURATION_VERSION = 1;

export interface ConfigurationDocument {
  readonly kind: typeof CONFIGURATION_KIND;
  readonly version: typeof CONFIGURATION_VERSION;
  readonly exported_at: string;
  /** Admin API client metadata with client_id, as POST /admin/clients takes it; no secrets. */
  readonly clients: Record<string, unknown>[];
  /** As POST /admin/trusted-issuers takes them. */
  readonly trusted_issuers: Record<string, unknown>[];
}

export interface ImportReport {
  readonly clients: {
    /** New confidential clients carry their new secret, shown this once. */
    created: { client_id: string; client_secret?: string }[];
    updated: string[];
  };
  readonly trusted_issuers: { created: string[]; updated: string[]; unchanged: string[] };
}
