/**
 * Query parameters as a route reads them. The OpenAPI validator has checked and coerced them
 * already (numbers, booleans); a router sees them as it left them, so these only narrow the type.
 */
import { ValidationError } from '@bdbazar/shared-kernel';
import type { Request } from 'express';

export const queryOf = (req: Request): Record<string, unknown> => req.query as Record<string, unknown>;

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A numeric parameter. The validator coerces `1e309` or `Infinity` to Infinity and lets it pass
 * its bounds (express-openapi-validator 5.6), so a value that is not finite is refused here.
 */
export function numberOf(query: Record<string, unknown>, name: string): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) {
    throw new ValidationError(`The query parameter ${name} must be a finite number within its documented range; ${String(value)} is not one.`, { field: name });
  }
  return number;
}

export function booleanOf(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}
