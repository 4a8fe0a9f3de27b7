// One place to ask the time, so tests can pin it.
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = new Date(iso).getTime();
  return {
    now: () => new Date(t),
    set: (s: string) => void (t = new Date(s).getTime()),
    advance: (ms: number) => void (t += ms),
  };
}

/** YYYY-MM-DD of an instant in a time zone. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function localDate(at: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  // Building a formatter costs far more than using one: keep one per zone.
  if (!f) dateFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}
