/**
 * The claims of a bdbazar access token, shared by the issuer and the verifier so that the two
 * cannot drift apart. Registered claims (RFC 7519) keep their names; ours are short and snake_case.
 */
import type { UserRole } from './roles';

export const ACCESS_TOKEN_ALGORITHM = 'RS256';

export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  role: UserRole;
  /** The session id (RFC 9068 uses `sid` too). */
  sid: string;
  /** Present and true only for an approved seller: lets seller routes decide without a lookup. */
  seller_approved?: boolean;
  iss: string;
  aud: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  jti: string;
}
