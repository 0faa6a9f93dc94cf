/**
 * A JWT assertion that was refused. `reason` is public and completes a
 * sentence about the token ("has expired"): a caller names the token its own
 * way (`the assertion has expired`, `the client assertion has expired`,
 * `the subject_token has expired`) and maps it to its protocol error
 * (invalid_grant, invalid_client, invalid_request). `detail` is for the log.
 */
export class InvalidAssertionError extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(`the assertion ${reason}`);
    this.name = 'InvalidAssertionError';
  }

  /** The public description with the token named, e.g. describe('client assertion'). */
  describe(name: string): string {
    return `the ${name} ${this.reason}`;
  }
}
