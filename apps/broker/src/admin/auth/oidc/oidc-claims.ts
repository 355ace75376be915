import type { AdminRole } from '../admin-tokens';

/** What the claims mean to the broker: OIDC_ROLE_CLAIM and its values, OIDC_USERNAME_CLAIM. */
export interface ClaimMapping {
  usernameClaim: string;
  roleClaim: string;
  adminValues: readonly string[];
  viewerValues: readonly string[];
}

/** How a single sign-on user is named in the audit log and on screen, apart from users of the users table. */
export const OIDC_USER_PREFIX = 'oidc:';

/**
 * A claim by name, or by a dotted path into nested objects (Keycloak's `realm_access.roles`). The whole
 * name is tried first: namespaced claims such as `https://example.com/roles` hold dots of their own.
 */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The values of the role claim: a list of strings, or one string (other entries are ignored). */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const value = claimAt(claims, name);
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The admin API role the claims give, admin first; undefined when they give neither. */
export function roleOfClaims(claims: Record<string, unknown>, mapping: ClaimMapping): AdminRole | undefined {
  const values = claimValues(claims, mapping.roleClaim);
  if (values.some((v) => mapping.adminValues.includes(v))) return 'admin';
  if (values.some((v) => mapping.viewerValues.includes(v))) return 'viewer';
  return undefined;
}

/** `oidc:<username claim>`, or `oidc:<sub>` when that claim is missing or not a string. */
export function userNameOfClaims(claims: Record<string, unknown>, mapping: ClaimMapping): string {
  const named = claimAt(claims, mapping.usernameClaim);
  const name = typeof named === 'string' && named.trim() !== '' ? named.trim() : String(claims.sub);
  // A name is shown and stored: a provider's odd, very long value is cut, not carried whole.
  return `${OIDC_USER_PREFIX}${name.slice(0, 200)}`;
}
