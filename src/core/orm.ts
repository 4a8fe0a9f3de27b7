// One Drizzle instance per open database (creating one per query is measurably slow).
import type { Database } from 'bun:sqlite';
import { drizzle } from 'drizzle-orm/bun-sqlite';

type Orm = ReturnType<typeof drizzle>;
const instances = new WeakMap<Database, Orm>();

export function orm(db: Database): Orm {
  let o = instances.get(db);
  if (!o) instances.set(db, (o = drizzle(db)));
  return o;
}

const prepared = new WeakMap<Database, Map<string, unknown>>();

/**
 * A query built and prepared once per database, then reused: building and preparing a
 * Drizzle query costs far more than running it. Use sql.placeholder() for the parameters.
 */
export function preparedQuery<T>(db: Database, key: string, build: (o: Orm) => T): T {
  let m = prepared.get(db);
  if (!m) prepared.set(db, (m = new Map()));
  let q = m.get(key) as T | undefined;
  if (!q) m.set(key, (q = build(orm(db))));
  return q;
}
