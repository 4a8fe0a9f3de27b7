// Ids are UUIDv7: time-ordered, so indexes stay append-friendly and ids sort by creation.
export function newId(): string {
  return Bun.randomUUIDv7();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID_RE.test(s);
}

/** A random URL-safe secret of `bytes` bytes (setup links, CSRF salts, API keys). */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

export function sha256Hex(s: string): string {
  return new Bun.CryptoHasher('sha256').update(s).digest('hex');
}
