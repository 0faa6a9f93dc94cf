/** What a request to the token, introspection or revocation endpoint carries for client authentication. */
export interface ClientAuthenticationInput {
  /** The Authorization header, if any. */
  readonly authorization: string | undefined;
  /** The form parameters (already checked to be single-valued strings). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The path of the endpoint the request went to (e.g. '/introspect'), when
   * known: its URL is an audience a client assertion may name beside the
   * issuer and the token endpoint.
   */
  readonly endpoint?: string;
}
