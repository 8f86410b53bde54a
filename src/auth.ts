import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyOptions } from 'jose';

/** Optional authentication: a shared secret (HS256/384/512) or a JWKS URL; neither means off. */
export interface AuthOptions {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface Authenticator {
  /**
   * The owner (the token's subject) for an Authorization value (`Bearer <token>`), or null when
   * authentication is off. Throws an UNAUTHENTICATED error for a missing or bad token.
   */
  ownerOf(authorization: unknown): Promise<string | null>;
}

/**
 * RFC 6750's challenge: `Bearer` alone when no bearer token came (none, or another scheme), and
 * `error="invalid_token"` with the reason when one came and was refused.
 */
function bearerChallenge(message: string, tokenSent: boolean): string {
  // A quoted-string here may hold neither '"' nor '\' (RFC 6750 §3).
  return tokenSent ? `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"` : 'Bearer';
}

function unauthenticated(message: string, { tokenSent }: { tokenSent: boolean }): GraphQLError {
  // What Apollo answers a refused request with (it reads `http`, and leaves it out of the answer).
  const http = { status: 401, headers: new HeaderMap([['www-authenticate', bearerChallenge(message, tokenSent)]]) };
  const extensions: Record<string, unknown> = { code: 'UNAUTHENTICATED', http };
  return new GraphQLError(message, { extensions });
}

/**
 * Why a token was refused, in the service's words: the JWT library's own messages ("Invalid Compact
 * JWS") name its internals and tell a client nothing it can act on.
 */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token was refused: it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `The token was refused: its ${error.claim} claim is not accepted`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'The token was refused: it is not signed by a key this service trusts';
  }
  return 'The token was refused: it is not a JWT this service accepts';
}

export function createAuthenticator({ jwtSecret, jwksUrl, issuer, audience }: AuthOptions = {}): Authenticator {
  if (!jwtSecret && !jwksUrl) return { ownerOf: async () => null };
  const options: JWTVerifyOptions = { issuer, audience };
  const verify = jwtSecret
    ? (token: string) => {
        const secret = new TextEncoder().encode(jwtSecret);
        return jwtVerify(token, secret, { ...options, algorithms: ['HS256', 'HS384', 'HS512'] });
      }
    : (() => {
        const keys = createRemoteJWKSet(new URL(jwksUrl!)); // fetched once, cached, refreshed on unknown keys
        return (token: string) => jwtVerify(token, keys, options);
      })();

  return {
    async ownerOf(authorization) {
      if (typeof authorization !== 'string' || authorization === '') {
        throw unauthenticated('A bearer token is required (Authorization: Bearer <token>)', { tokenSent: false });
      }
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!token) {
        const tokenSent = /^Bearer\s/i.test(authorization);
        throw unauthenticated('The Authorization value must be "Bearer <token>"', { tokenSent });
      }
      let subject: unknown;
      try {
        subject = (await verify(token)).payload.sub;
      } catch (error) {
        throw unauthenticated(refusal(error), { tokenSent: true });
      }
      // A signed token may still carry any JSON as its subject; the owner must be a string.
      if (typeof subject !== 'string' || subject === '') {
        throw unauthenticated('The token has no subject (sub) that is a non-empty string', { tokenSent: true });
      }
      return subject;
    },
  };
}
