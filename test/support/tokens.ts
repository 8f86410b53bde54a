import { SignJWT } from 'jose';

/** A token for `subject`, signed (HS256) with `secret`, as AUTH_JWT_SECRET checks it; valid ten minutes. */
export function signedToken(secret: string, subject: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}
