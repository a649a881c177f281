import { OTHERS, type Principal } from '../access/types.js';
import type { Role } from './role.js';

/** Whom a verdict is for: a role, or "others" (any unrelated local user, always last). */
export interface Subject {
  name: string;
  principal: Principal;
  /** undefined for others */
  role: Role | undefined;
}

export const SUBJECT_OTHERS = 'others';

/** Every role, then others: the one list audit, access and explain --for speak of. */
export function subjectsOf(roles: readonly Role[]): Subject[] {
  return [
    ...roles.map((role) => ({ name: role.name, principal: role, role })),
    { name: SUBJECT_OTHERS, principal: OTHERS, role: undefined },
  ];
}
