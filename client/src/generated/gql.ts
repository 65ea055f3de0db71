/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment AuthTokens on AuthPayload {\n  tokenType\n  accessToken\n  accessTokenExpiresAt\n  expiresIn\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    id\n    email\n    createdAt\n  }\n  session {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    createdAt\n  }\n}\n\nquery Sessions {\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery SecurityEvents($first: Int) {\n  securityEvents(first: $first) {\n    id\n    type\n    occurredAt\n    ipAddress\n    userAgent\n    sessionId\n  }\n}\n\nmutation SignUp($email: EmailAddress!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation Login($email: EmailAddress!, $password: String!) {\n  login(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation RefreshToken($refreshToken: String) {\n  refreshToken(refreshToken: $refreshToken) {\n    ...AuthTokens\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!, $currentPassword: String) {\n  revokeSession(id: $id, currentPassword: $currentPassword)\n}\n\nmutation RevokeAllTokens($currentPassword: String) {\n  revokeAllTokens(currentPassword: $currentPassword) {\n    revokedSessionCount\n    auth {\n      ...AuthTokens\n    }\n  }\n}\n\nmutation ChangeEmail($newEmail: EmailAddress!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword) {\n    ...AuthTokens\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthTokens\n  }\n}": typeof types.AuthTokensFragmentDoc,
};
const documents: Documents = {
    "fragment AuthTokens on AuthPayload {\n  tokenType\n  accessToken\n  accessTokenExpiresAt\n  expiresIn\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    id\n    email\n    createdAt\n  }\n  session {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    createdAt\n  }\n}\n\nquery Sessions {\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery SecurityEvents($first: Int) {\n  securityEvents(first: $first) {\n    id\n    type\n    occurredAt\n    ipAddress\n    userAgent\n    sessionId\n  }\n}\n\nmutation SignUp($email: EmailAddress!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation Login($email: EmailAddress!, $password: String!) {\n  login(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation RefreshToken($refreshToken: String) {\n  refreshToken(refreshToken: $refreshToken) {\n    ...AuthTokens\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!, $currentPassword: String) {\n  revokeSession(id: $id, currentPassword: $currentPassword)\n}\n\nmutation RevokeAllTokens($currentPassword: String) {\n  revokeAllTokens(currentPassword: $currentPassword) {\n    revokedSessionCount\n    auth {\n      ...AuthTokens\n    }\n  }\n}\n\nmutation ChangeEmail($newEmail: EmailAddress!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword) {\n    ...AuthTokens\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthTokens\n  }\n}": types.AuthTokensFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment AuthTokens on AuthPayload {\n  tokenType\n  accessToken\n  accessTokenExpiresAt\n  expiresIn\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    id\n    email\n    createdAt\n  }\n  session {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    createdAt\n  }\n}\n\nquery Sessions {\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery SecurityEvents($first: Int) {\n  securityEvents(first: $first) {\n    id\n    type\n    occurredAt\n    ipAddress\n    userAgent\n    sessionId\n  }\n}\n\nmutation SignUp($email: EmailAddress!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation Login($email: EmailAddress!, $password: String!) {\n  login(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation RefreshToken($refreshToken: String) {\n  refreshToken(refreshToken: $refreshToken) {\n    ...AuthTokens\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!, $currentPassword: String) {\n  revokeSession(id: $id, currentPassword: $currentPassword)\n}\n\nmutation RevokeAllTokens($currentPassword: String) {\n  revokeAllTokens(currentPassword: $currentPassword) {\n    revokedSessionCount\n    auth {\n      ...AuthTokens\n    }\n  }\n}\n\nmutation ChangeEmail($newEmail: EmailAddress!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword) {\n    ...AuthTokens\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthTokens\n  }\n}"): (typeof documents)["fragment AuthTokens on AuthPayload {\n  tokenType\n  accessToken\n  accessTokenExpiresAt\n  expiresIn\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    id\n    email\n    createdAt\n  }\n  session {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    createdAt\n  }\n}\n\nquery Sessions {\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ipAddress\n    current\n  }\n}\n\nquery SecurityEvents($first: Int) {\n  securityEvents(first: $first) {\n    id\n    type\n    occurredAt\n    ipAddress\n    userAgent\n    sessionId\n  }\n}\n\nmutation SignUp($email: EmailAddress!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation Login($email: EmailAddress!, $password: String!) {\n  login(email: $email, password: $password) {\n    ...AuthTokens\n  }\n}\n\nmutation RefreshToken($refreshToken: String) {\n  refreshToken(refreshToken: $refreshToken) {\n    ...AuthTokens\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!, $currentPassword: String) {\n  revokeSession(id: $id, currentPassword: $currentPassword)\n}\n\nmutation RevokeAllTokens($currentPassword: String) {\n  revokeAllTokens(currentPassword: $currentPassword) {\n    revokedSessionCount\n    auth {\n      ...AuthTokens\n    }\n  }\n}\n\nmutation ChangeEmail($newEmail: EmailAddress!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword) {\n    ...AuthTokens\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthTokens\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;