import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyOptions } from 'jose';

/** Optional authentication: a shared secret (HS256/384/512) or a JWKS URL; neither means off. */
export interface AuthOptions {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface Authenticator {
  enabled: boolean;
  /**
   * The owner (the token's subject) for an Authorization value (`Bearer <token>`), or null when
   * authentication is off. Throws an UNAUTHENTICATED error for a missing or bad token.
   */
  ownerOf(authorization: unknown): Promise<string | null>;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function createAuthenticator({ jwtSecret, jwksUrl, issuer, audience }: AuthOptions = {}): Authenticator {
  if (!jwtSecret && !jwksUrl) return { enabled: false, ownerOf: async () => null };
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
    enabled: true,
    async ownerOf(authorization) {
      if (typeof authorization !== 'string' || authorization === '') {
        throw unauthenticated('A bearer token is required (Authorization: Bearer <token>)');
      }
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!token) throw unauthenticated('The Authorization value must be "Bearer <token>"');
      let subject: unknown;
      try {
        subject = (await verify(token)).payload.sub;
      } catch (error) {
        throw unauthenticated(`The token was refused: ${error instanceof Error ? error.message : String(error)}`);
      }
      // A signed token may still carry any JSON as its subject; the owner must be a string.
      if (typeof subject !== 'string' || subject === '') {
        throw unauthenticated('The token has no subject (sub) that is a non-empty string');
      }
      return subject;
    },
  };
}
