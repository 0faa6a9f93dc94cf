import { getMetadataStorage, validateSync } from 'class-validator';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';

/** Each parameter DTO's declared properties, read once from its class-validator decorators. */
const declaredProperties = new WeakMap<object, readonly string[]>();

function propertiesOf(dto: new () => object): readonly string[] {
  let properties = declaredProperties.get(dto);
  if (properties === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    properties = [...new Set(metadata.map((entry) => entry.propertyName))];
    declaredProperties.set(dto, properties);
  }
  return properties;
}

/**
 * A grant's parameters as its DTO class, or invalid_request naming the first
 * bad parameter. Unknown parameters are ignored (RFC 6749 §3.2): only the
 * DTO's declared properties are copied in (by hand rather than with
 * class-transformer, which cost 3 % of a client_credentials request and
 * has nothing to transform here: form parameters are strings).
 */
export function grantParams<T extends object>(
  dto: new () => T,
  params: Readonly<Record<string, string>>,
): T {
  const instance = new dto();
  for (const property of propertiesOf(dto)) {
    const value = params[property];
    if (value !== undefined) (instance as Record<string, unknown>)[property] = value;
  }
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
