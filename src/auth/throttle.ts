// Login throttling, per account name and per client address. Unknown account names are
// throttled exactly like real ones, so the answers never reveal which accounts exist.
export interface ThrottleRule {
  max: number;
  windowMs: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    readonly perAccount: ThrottleRule = { max: 5, windowMs: 15 * 60_000 },
    readonly perIp: ThrottleRule = { max: 30, windowMs: 15 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string, windowMs: number): number[] {
    const t = this.now();
    const list = (this.failures.get(key) ?? []).filter((x) => t - x < windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until this account/address may try again, or 0 when allowed. */
  retryAfter(username: string, ip: string): number {
    const checks: [string, ThrottleRule][] = [
      [`u:${username.trim().toLowerCase()}`, this.perAccount],
      [`ip:${ip}`, this.perIp],
    ];
    let wait = 0;
    for (const [key, rule] of checks) {
      const list = this.recent(key, rule.windowMs);
      if (list.length >= rule.max) wait = Math.max(wait, Math.ceil((list[0] + rule.windowMs - this.now()) / 1000));
    }
    return wait;
  }

  fail(username: string, ip: string): void {
    for (const key of [`u:${username.trim().toLowerCase()}`, `ip:${ip}`]) {
      const list = this.failures.get(key) ?? [];
      list.push(this.now());
      this.failures.set(key, list);
    }
  }

  succeed(username: string): void {
    this.failures.delete(`u:${username.trim().toLowerCase()}`);
  }
}
