import { InvalidEnvironmentError } from '../../src/config/environment.js';

/**
 * The error `run` throws, which must be a `type`: any other error is thrown on,
 * and a `run` that throws nothing fails the test.
 */
export function thrownError<E extends Error>(
  type: abstract new (...args: any[]) => E,
  run: () => unknown,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected an ${type.name}, nothing was thrown`);
}

/** The InvalidEnvironmentError a config parser throws, to look at its variable and message. */
export function invalidEnvironmentError(parse: () => unknown): InvalidEnvironmentError {
  return thrownError(InvalidEnvironmentError, parse);
}
