/**
 * One-time launch codes for opening browser mode in the user's browser. The command line of the
 * browser (and of xdg-open/open/start on the way) is readable by every local user in /proc, so
 * it must not carry the run's token: it carries a code that is traded once, within a short
 * time, for the token cookie. A code seen later in /proc is spent or expired.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Long enough for a cold browser start, short enough that a leaked code is soon worthless. */
export const LAUNCH_CODE_TTL_MS = 60_000;
/** Codes not yet used; minting more forgets the oldest (memory stays bounded whoever asks). */
export const MAX_PENDING_LAUNCH_CODES = 8;

export interface LaunchCodeOptions {
  ttlMs?: number;
  /** Milliseconds clock (tests pass their own to expire codes without waiting). */
  now?: () => number;
}

export class LaunchCodes {
  private readonly pending: { code: Buffer; expiresAt: number }[] = [];
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: LaunchCodeOptions = {}) {
    this.ttlMs = options.ttlMs ?? LAUNCH_CODE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  mint(): string {
    const code = randomBytes(24).toString('base64url');
    this.pending.push({ code: Buffer.from(code), expiresAt: this.now() + this.ttlMs });
    while (this.pending.length > MAX_PENDING_LAUNCH_CODES) this.pending.shift();
    return code;
  }

  /** True once for a code that was minted and has not expired; it is spent either way. */
  redeem(presented: string): boolean {
    const now = this.now();
    const candidate = Buffer.from(presented);
    // Compare with every pending code in constant time, so timing tells nothing about prefixes.
    let found = -1;
    this.pending.forEach((entry, index) => {
      if (entry.code.length === candidate.length && timingSafeEqual(entry.code, candidate)) found = index;
    });
    if (found < 0) return false;
    const [entry] = this.pending.splice(found, 1);
    return entry!.expiresAt > now;
  }

  /** Codes still waiting to be used (expired ones included until redeemed or pushed out). */
  pendingCount(): number {
    return this.pending.length;
  }
}
