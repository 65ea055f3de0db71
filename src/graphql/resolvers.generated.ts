import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { UserView, SessionView } from '../auth/caller.ts';
import type { SecurityEvent as SecurityEventEntity } from '../db/entities/index.ts';
import type { IssuedTokens } from '../auth/refresh-tokens.ts';
import type { GraphQLContext } from './context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, as an RFC 3339 string in UTC (graphql-scalars' DateTime). */
  DateTime: { input: Date; output: Date; }
  /**
   * An email address (graphql-scalars' EmailAddress). Tessera stores it trimmed and
   * lower-cased, and compares it case-insensitively.
   */
  EmailAddress: { input: string; output: string; }
};

/**
 * A fresh pair of tokens and what they belong to. Send the access token as
 * `Authorization: Bearer <accessToken>`; trade the refresh token in with
 * `refreshToken` before the access token expires.
 */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** The short-lived access token (prefix `tsa_`). */
  accessToken: Scalars['String']['output'];
  /** When the access token stops working. */
  accessTokenExpiresAt: Scalars['DateTime']['output'];
  /** Seconds from now until the access token expires. */
  expiresIn: Scalars['Int']['output'];
  /**
   * The single-use refresh token (prefix `tsr_`). Keep it secret; it rotates on every use.
   * Null when the request asked for the cookie transport (`X-Tessera-Refresh-Transport:
   * cookie`): the token is then in the `__Host-tessera_refresh` cookie, out of scripts' reach.
   */
  refreshToken: Maybe<Scalars['String']['output']>;
  /** When the refresh token expires if it is not used. */
  refreshTokenExpiresAt: Scalars['DateTime']['output'];
  /** The session the tokens belong to. */
  session: Session;
  /** Always `Bearer`. */
  tokenType: Scalars['String']['output'];
  /** The account the tokens belong to. */
  user: User;
};

/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Change the email address. Revokes every session and returns a new one. */
  changeEmail: AuthPayload;
  /** Change the password. Revokes every session and returns a new one. */
  changePassword: AuthPayload;
  /** Delete the caller's account: every session is revoked, and the account, its sessions and its security events are erased. The email address is free again at once. */
  deleteAccount: Scalars['Boolean']['output'];
  /** Enter a password: start a new session with new tokens. */
  login: AuthPayload;
  /** Revoke the caller's session: its access and refresh tokens stop working at once. */
  logout: Scalars['Boolean']['output'];
  /** Spend a refresh token for a new pair. A retry within the grace window returns the same pair. */
  refreshToken: AuthPayload;
  /** Revoke every session of the caller. With a correct `currentPassword`, also start a new one. */
  revokeAllTokens: RevokeAllTokensPayload;
  /** Revoke one of the caller's sessions. Needs `currentPassword` unless the caller's session is fresh. */
  revokeSession: Scalars['Boolean']['output'];
  /** Create an account and start its first session. */
  signUp: AuthPayload;
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationChangeEmailArgs = {
  currentPassword: Scalars['String']['input'];
  newEmail: Scalars['EmailAddress']['input'];
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationDeleteAccountArgs = {
  currentPassword: Scalars['String']['input'];
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationLoginArgs = {
  email: Scalars['EmailAddress']['input'];
  password: Scalars['String']['input'];
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationRefreshTokenArgs = {
  refreshToken: InputMaybe<Scalars['String']['input']>;
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationRevokeAllTokensArgs = {
  currentPassword: InputMaybe<Scalars['String']['input']>;
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationRevokeSessionArgs = {
  currentPassword: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};


/** Writes. `signUp`, `login` and `refreshToken` are public; the rest need a valid access token. */
export type MutationSignUpArgs = {
  email: Scalars['EmailAddress']['input'];
  password: Scalars['String']['input'];
};

/** Reads. Every field needs a valid access token. */
export type Query = {
  __typename?: 'Query';
  /** The account of the access token. */
  me: User;
  /** The caller's security events, newest first. */
  securityEvents: Array<SecurityEvent>;
  /** The caller's live sessions, newest first. */
  sessions: Array<Session>;
};


/** Reads. Every field needs a valid access token. */
export type QuerySecurityEventsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** The result of `revokeAllTokens`. */
export type RevokeAllTokensPayload = {
  __typename?: 'RevokeAllTokensPayload';
  /** A fresh session, only when a correct `currentPassword` was given; otherwise null. */
  auth: Maybe<AuthPayload>;
  /** How many live sessions were revoked, the caller's included. */
  revokedSessionCount: Scalars['Int']['output'];
};

/** One entry of an account's security log. */
export type SecurityEvent = {
  __typename?: 'SecurityEvent';
  /** The event's identifier. */
  id: Scalars['ID']['output'];
  /** The client IP address of the request, if known. */
  ipAddress: Maybe<Scalars['String']['output']>;
  /** When it happened. */
  occurredAt: Scalars['DateTime']['output'];
  /** The session involved, if any. */
  sessionId: Maybe<Scalars['ID']['output']>;
  /** What happened. */
  type: SecurityEventType;
  /** The User-Agent header of the request, if any. */
  userAgent: Maybe<Scalars['String']['output']>;
};

/** What happened to an account. */
export type SecurityEventType =
  /** An operator disabled the account: every session was revoked, and sign-in is refused until it is enabled. */
  | 'ACCOUNT_DISABLED'
  /** An operator enabled the account again. */
  | 'ACCOUNT_ENABLED'
  /** Every session of the account was revoked. */
  | 'ALL_SESSIONS_REVOKED'
  /** The account's email address was changed. */
  | 'EMAIL_CHANGED'
  /** A password was rejected (at login or as a `currentPassword`). */
  | 'LOGIN_FAILED'
  /** A password was accepted and a session started. */
  | 'LOGIN_SUCCEEDED'
  /** The account's password was changed. */
  | 'PASSWORD_CHANGED'
  /** Password attempts were refused for exceeding the limits. */
  | 'RATE_LIMITED'
  /** An operator cleared the account's failed password attempts (`tessera throttle clear`). */
  | 'RATE_LIMIT_CLEARED'
  /** A spent refresh token was presented again after the retry window: its session was revoked. */
  | 'REFRESH_TOKEN_REUSE'
  /** One session was revoked (by `logout` or `revokeSession`). */
  | 'SESSION_REVOKED'
  /** The account was created. */
  | 'SIGNED_UP';

/**
 * One sign-in: every time a password is entered, a new session (a family of
 * access and refresh tokens) begins. Revoking it invalidates all of its tokens.
 */
export type Session = {
  __typename?: 'Session';
  /** When the password was entered that started this session. */
  createdAt: Scalars['DateTime']['output'];
  /** True for the session of the access token that made this request. */
  current: Scalars['Boolean']['output'];
  /** The session's absolute end. Refreshing never moves it. */
  expiresAt: Scalars['DateTime']['output'];
  /** The session's identifier, usable with `revokeSession`. */
  id: Scalars['ID']['output'];
  /** The client IP address of the request that last obtained tokens, if known. */
  ipAddress: Maybe<Scalars['String']['output']>;
  /** When the session last obtained tokens (its last refresh, or its login). */
  lastUsedAt: Scalars['DateTime']['output'];
  /** The User-Agent header of the request that last obtained tokens, if any. */
  userAgent: Maybe<Scalars['String']['output']>;
};

/** An account. Its password is never readable through the API. */
export type User = {
  __typename?: 'User';
  /** When the account was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The account's email address, lower-cased. */
  email: Scalars['EmailAddress']['output'];
  /** The account's stable identifier. */
  id: Scalars['ID']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AuthPayload: ResolverTypeWrapper<IssuedTokens>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  EmailAddress: ResolverTypeWrapper<Scalars['EmailAddress']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RevokeAllTokensPayload: ResolverTypeWrapper<Omit<RevokeAllTokensPayload, 'auth'> & { auth?: Maybe<ResolversTypes['AuthPayload']> }>;
  SecurityEvent: ResolverTypeWrapper<SecurityEventEntity>;
  SecurityEventType: SecurityEventType;
  Session: ResolverTypeWrapper<SessionView>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  User: ResolverTypeWrapper<UserView>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AuthPayload: IssuedTokens;
  Boolean: Scalars['Boolean']['output'];
  DateTime: Scalars['DateTime']['output'];
  EmailAddress: Scalars['EmailAddress']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  RevokeAllTokensPayload: Omit<RevokeAllTokensPayload, 'auth'> & { auth?: Maybe<ResolversParentTypes['AuthPayload']> };
  SecurityEvent: SecurityEventEntity;
  Session: SessionView;
  String: Scalars['String']['output'];
  User: UserView;
};

export type AuthPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = {
  accessToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  accessTokenExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresIn?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  refreshToken?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  refreshTokenExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  session?: Resolver<ResolversTypes['Session'], ParentType, ContextType>;
  tokenType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface EmailAddressScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['EmailAddress'], any> {
  name: 'EmailAddress';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  changeEmail?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationChangeEmailArgs, 'currentPassword' | 'newEmail'>>;
  changePassword?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationChangePasswordArgs, 'currentPassword' | 'newPassword'>>;
  deleteAccount?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteAccountArgs, 'currentPassword'>>;
  login?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'email' | 'password'>>;
  logout?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  refreshToken?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, Partial<MutationRefreshTokenArgs>>;
  revokeAllTokens?: Resolver<ResolversTypes['RevokeAllTokensPayload'], ParentType, ContextType, Partial<MutationRevokeAllTokensArgs>>;
  revokeSession?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeSessionArgs, 'id'>>;
  signUp?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationSignUpArgs, 'email' | 'password'>>;
};

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  me?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  securityEvents?: Resolver<Array<ResolversTypes['SecurityEvent']>, ParentType, ContextType, RequireFields<QuerySecurityEventsArgs, 'first'>>;
  sessions?: Resolver<Array<ResolversTypes['Session']>, ParentType, ContextType>;
};

export type RevokeAllTokensPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RevokeAllTokensPayload'] = ResolversParentTypes['RevokeAllTokensPayload']> = {
  auth?: Resolver<Maybe<ResolversTypes['AuthPayload']>, ParentType, ContextType>;
  revokedSessionCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SecurityEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SecurityEvent'] = ResolversParentTypes['SecurityEvent']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ipAddress?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  sessionId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['SecurityEventType'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type SessionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  current?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ipAddress?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastUsedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type UserResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  email?: Resolver<ResolversTypes['EmailAddress'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphQLContext> = {
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  EmailAddress?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RevokeAllTokensPayload?: RevokeAllTokensPayloadResolvers<ContextType>;
  SecurityEvent?: SecurityEventResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

