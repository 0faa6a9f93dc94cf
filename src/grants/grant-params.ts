import { getMetadataStorage, validateSync } from 'class-validator';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';

/** One declared parameter as the quick check reads it: its decorators were only these. */
interface PlainRule {
  readonly property: string;
  /** @IsOptional(): absent (or null) passes without the other rules. */
  readonly optional: boolean;
  /** @IsString() */
  readonly string: boolean;
  /** @MaxLength(n): the smallest n given. */
  readonly maxLength: number | undefined;
}

/** What one DTO class declares, read once from its class-validator decorators. */
interface DtoShape {
  readonly properties: readonly string[];
  /**
   * The rules, when every decorator is one the quick check knows
   * (IsOptional, IsString, MaxLength without groups, each or always);
   * undefined sends every request through class-validator.
   */
  readonly plainRules: readonly PlainRule[] | undefined;
}

const shapes = new WeakMap<object, DtoShape>();

/** class-validator's metadata entry (its type is not exported from the package root). */
type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

function plainRules(metadata: readonly ValidationMetadata[]): PlainRule[] | undefined {
  // No decorators at all: class-validator refuses the value (forbidUnknownValues).
  if (metadata.length === 0) return undefined;
  const rules = new Map<string, { optional: boolean; string: boolean; maxLength?: number }>();
  for (const entry of metadata) {
    // groups is undefined when a decorator's options leave it out.
    if ((entry.groups?.length ?? 0) > 0 || entry.each || entry.always === true) return undefined;
    const rule = rules.get(entry.propertyName) ?? { optional: false, string: false };
    rules.set(entry.propertyName, rule);
    if (entry.type === 'conditionalValidation' && entry.name === 'isOptional') {
      rule.optional = true;
    } else if (entry.type === 'customValidation' && entry.name === 'isString') {
      rule.string = true;
    } else if (
      entry.type === 'customValidation' &&
      entry.name === 'maxLength' &&
      typeof entry.constraints[0] === 'number'
    ) {
      rule.maxLength = Math.min(rule.maxLength ?? Infinity, entry.constraints[0]);
    } else {
      return undefined;
    }
  }
  return [...rules].map(([property, rule]) => ({
    property,
    optional: rule.optional,
    string: rule.string,
    maxLength: rule.maxLength,
  }));
}

function shapeOf(dto: new () => object): DtoShape {
  let shape = shapes.get(dto);
  if (shape === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    shape = {
      properties: [...new Set(metadata.map((entry) => entry.propertyName))],
      plainRules: plainRules(metadata),
    };
    shapes.set(dto, shape);
  }
  return shape;
}

/**
 * True only where class-validator would find nothing wrong. A MaxLength is
 * passed here when the string's UTF-16 length is within it: class-validator
 * counts a surrogate pair as one character, so that never passes what it
 * refuses; a longer string goes to class-validator to decide.
 */
function passesPlainRules(rules: readonly PlainRule[], instance: object): boolean {
  for (const rule of rules) {
    const value = (instance as Record<string, unknown>)[rule.property];
    if (value === undefined || value === null) {
      if (rule.optional) continue;
      return false;
    }
    if (rule.string && typeof value !== 'string') return false;
    if (
      rule.maxLength !== undefined &&
      (typeof value !== 'string' || value.length > rule.maxLength)
    ) {
      return false;
    }
  }
  return true;
}

/**
 * A grant's parameters as its DTO class, or invalid_request naming the first
 * bad parameter. Unknown parameters are ignored (RFC 6749 §3.2): only the
 * DTO's declared properties are copied in (by hand rather than with
 * class-transformer, which cost 3 % of a client_credentials request and
 * has nothing to transform here: form parameters are strings). Parameters
 * that pass the DTO's plain rules skip class-validator, whose validateSync
 * reads the metadata of every validated class on each call (4 % of a
 * reference-token request on PostgreSQL); the rest, and DTOs with other
 * decorators, are judged by class-validator, which also words the error.
 */
export function grantParams<T extends object>(
  dto: new () => T,
  params: Readonly<Record<string, string>>,
): T {
  const { properties, plainRules: rules } = shapeOf(dto);
  const instance = new dto();
  for (const property of properties) {
    const value = params[property];
    if (value !== undefined) (instance as Record<string, unknown>)[property] = value;
  }
  if (rules !== undefined && passesPlainRules(rules, instance)) return instance;
  const [error] = validateSync(instance, { forbidUnknownValues: true });
  if (error !== undefined) {
    const missing = params[error.property] === undefined;
    throw new InvalidRequestError(
      missing ? `${error.property} is required` : `${error.property} is invalid`,
      Object.values(error.constraints ?? {}).join('; '),
    );
  }
  return instance;
}
