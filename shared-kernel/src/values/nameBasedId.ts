/**
 * Ids derived from names (UUID v5): the same name always gives the same id, so a stream that must
 * be unique per name (one review per buyer and product, one claim per shop and SKU) is found, and
 * raced for, by its id alone.
 */
import { v5 as uuidv5 } from 'uuid';

/** The UUID v5 of `name` in `namespace` (itself a UUID naming what kind of name it is). */
export function nameBasedId(namespace: string, name: string): string {
  return uuidv5(name, namespace);
}
