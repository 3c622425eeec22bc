/**
 * Money as every event and API carries it: an integer number of minor units (poisha; 100 poisha
 * make a taka) and a currency. Never a float: 0.1 + 0.2 taka must not become 0.30000000000000004.
 */
import { ValidationError } from '../errors';

export const CURRENCY = 'BDT' as const;
export type Currency = typeof CURRENCY;

export interface Money {
  amount: number;
  currency: Currency;
}

/** The most a single price may be: 1 crore taka (10^7 BDT), in poisha. */
export const MAX_PRICE_POISHA = 1_000_000_000;

export const poisha = (amount: number): Money => ({ amount, currency: CURRENCY });

/** A price a seller may ask: whole poisha, more than nothing, at most MAX_PRICE_POISHA, in BDT. */
export function checkedPrice(value: Money, field: string): Money {
  if (value.currency !== CURRENCY) throw new ValidationError(`${field}.currency must be BDT; bdbazar sells in taka only.`, { field: `${field}.currency` });
  if (!Number.isSafeInteger(value.amount)) {
    throw new ValidationError(`${field}.amount must be a whole number of poisha (100 poisha = 1 taka; ৳ 1,250.50 is 125050), not ${value.amount}.`, { field: `${field}.amount` });
  }
  if (value.amount <= 0) throw new ValidationError(`${field}.amount must be more than 0 poisha; got ${value.amount}.`, { field: `${field}.amount` });
  if (value.amount > MAX_PRICE_POISHA) throw new ValidationError(`${field}.amount may be at most ${MAX_PRICE_POISHA} poisha (৳ 1 crore); got ${value.amount}.`, { field: `${field}.amount` });
  return { amount: value.amount, currency: CURRENCY };
}
