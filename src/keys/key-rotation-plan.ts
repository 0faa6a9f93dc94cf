import type { SigningAlgorithm } from './signing-algorithm.js';
import type { SigningKeyEntity } from './signing-key.entity.js';

/** What one rotation of signing-key chains does, decided before it touches the database. */
export interface KeyRotationPlan {
  /** The chains to rotate, in order. */
  readonly algs: readonly SigningAlgorithm[];
  /** The new `next` key of each chain, in the order of `algs`. */
  readonly fresh: readonly SigningKeyEntity[];
  readonly now: number;
  /** When the retired keys leave the JWKS. */
  readonly retainUntil: number;
  /**
   * A scheduled rotation: only chains whose current key signs since before
   * this; a chain another instance has just rotated is left alone.
   */
  readonly activatedBefore: number | undefined;
}
