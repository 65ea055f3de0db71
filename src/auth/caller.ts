// Who is asking, as the access-token check read it: plain values, not entities, because the hot
// path reads them without the ORM.

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly createdAt: Date;
}

export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly userAgent?: string | null;
  readonly ipAddress?: string | null;
}

/** The signed-in caller of an operation. */
export interface Caller {
  readonly user: UserView;
  readonly session: SessionView;
}

/** The caller's account, for a password check of theirs (credentials.ts). */
export function accountOf(caller: Caller): { userId: string; email: string } {
  return { userId: caller.user.id, email: caller.user.email };
}
