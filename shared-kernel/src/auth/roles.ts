/** The roles a user account can have; `system` (in event metadata) is not a user role. */
export const USER_ROLES = ['buyer', 'seller', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

/** Who is calling, as every service learns it from the access token. */
export interface AuthContext {
  userId: string;
  role: UserRole;
  /** The login session the token belongs to (logout and refresh-token reuse revoke it). */
  sessionId: string;
  /** True for a seller an admin has approved when the token was issued; false for everyone else. */
  sellerApproved: boolean;
}
