/**
 * Query parameters as a route reads them. The OpenAPI validator has checked and coerced them
 * already (numbers, booleans); a router sees them as it left them, so these only narrow the type.
 */
import type { Request } from 'express';

export const queryOf = (req: Request): Record<string, unknown> => req.query as Record<string, unknown>;

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function numberOf(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

export function booleanOf(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}
