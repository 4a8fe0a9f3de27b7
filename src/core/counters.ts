// Gapless per-branch number series. The number is decided inside the command's transaction
// (nextCounterValue) and written into the event; the projection then advances the counter,
// so a rebuild from the log reproduces it exactly.
import type { Database } from 'bun:sqlite';
import type { StoredEvent } from './events';
import type { Projection } from './projections';

/** Events that carry a numbered series: `counter` names the series and `number` the value taken. */
export interface NumberedEventData {
  counter: { name: string; value: number };
}

const numberedEvents = new Set<string>(['patient.registered']);

export function registerNumberedEvent(type: string): void {
  numberedEvents.add(type);
}

export function nextCounterValue(db: Database, branchId: string, name: string): number {
  const row = db.query('SELECT value FROM counters WHERE branch_id = ? AND name = ?').get(branchId, name) as { value: number } | null;
  return (row?.value ?? 0) + 1;
}

export const countersProjection: Projection = {
  name: 'counters',
  tables: ['counters'],
  primaryKeyLookupsOnly: true,
  handles: numberedEvents,
  bind(db) {
    const upsert = db.prepare(
      `INSERT INTO counters (branch_id, name, value) VALUES (?, ?, ?)
       ON CONFLICT (branch_id, name) DO UPDATE SET value = max(value, excluded.value)`,
    );
    return (e: StoredEvent) => {
      const c = (e.data as unknown as Partial<NumberedEventData>).counter;
      if (c) upsert.run(e.branch_id, c.name, c.value);
    };
  },
};
