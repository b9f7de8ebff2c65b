/**
 * Who may use browser mode. The server listens on loopback, but any web page the user visits
 * can also reach loopback, so three checks apply to every HTTP request and WebSocket:
 *  1. Host must name the loopback address and our port (stops DNS-rebinding pages);
 *  2. the per-run token must be presented: as an HttpOnly cookie, or once in the URL (the
 *     `token` query the user was given, or a one-time `launch` code the browser was opened
 *     with), which the server trades for the cookie;
 *  3. WebSockets must come from our own origin (browsers do not apply CORS to WebSockets).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_QUERY = 'token';
export const LAUNCH_QUERY = 'launch';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header values that name this server (loopback only, exact port). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader !== undefined && allowedHosts(port).has(hostHeader.toLowerCase());
}

/** A WebSocket Origin must be http://<one of our hosts>. A missing Origin is refused too. */
export function isAllowedOrigin(originHeader: string | undefined, port: number): boolean {
  if (!originHeader) return false;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    return false;
  }
  return origin.protocol === 'http:' && origin.pathname === '/' && allowedHosts(port).has(origin.host);
}

export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Cookies are not separated by port, so two instances on one host would overwrite a shared
 * cookie and lock each other's tabs out: each port has its own name.
 */
export function tokenCookieName(port: number): string {
  return `cardbench_token_${port}`;
}

export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** How the token was shown: `query` and `launch` came in the URL, to be traded for the cookie. */
export type AccessVerdict = { allowed: true; via: 'cookie' | 'query' | 'launch' } | { allowed: false; status: 401 | 403; reason: string };

/** The one-time codes' side of the check (LaunchCodes). */
export interface LaunchCodeRedeemer {
  redeem(code: string): boolean;
}

export interface RequestFacts {
  host: string | undefined;
  cookie: string | undefined;
  /** Token from the URL query, if any. */
  queryToken: string | undefined;
  /** One-time launch code from the URL query (page loads only, never WebSockets or uploads). */
  launchCode?: string | undefined;
  /** Present on WebSocket upgrades. */
  origin?: string | undefined;
  isWebSocket: boolean;
}

export function checkAccess(facts: RequestFacts, token: string, port: number, launchCodes?: LaunchCodeRedeemer): AccessVerdict {
  if (!isAllowedHost(facts.host, port)) {
    return { allowed: false, status: 403, reason: `Host ${JSON.stringify(facts.host ?? '')} is not this loopback server` };
  }
  if (facts.isWebSocket && !isAllowedOrigin(facts.origin, port)) {
    return { allowed: false, status: 403, reason: `Origin ${JSON.stringify(facts.origin ?? '')} is not this server` };
  }
  // Redeemed only once Host (and Origin) passed: a code is spent by the first request that shows it.
  const launched = facts.launchCode !== undefined && !facts.isWebSocket && launchCodes?.redeem(facts.launchCode) === true;
  if (launched) return { allowed: true, via: 'launch' };
  if (tokensEqual(token, facts.queryToken)) return { allowed: true, via: 'query' };
  if (tokensEqual(token, readCookie(facts.cookie, tokenCookieName(port)))) return { allowed: true, via: 'cookie' };
  if (facts.launchCode !== undefined) {
    return { allowed: false, status: 401, reason: 'this launch link was already used or has expired' };
  }
  return { allowed: false, status: 401, reason: 'missing or wrong access token' };
}
