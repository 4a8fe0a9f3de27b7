import { afterEach, describe, expect, test } from 'bun:test';
import type { Database } from 'bun:sqlite';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/kernel';
import { openKernelAt } from '../kernel';
import { openDatabase } from './db';
import { sha256Hex } from './ids';
import { appliedSchemaVersion, knownMigrations, latestSchemaVersion, type Migration, migrate, SchemaTooNewError, schemaIsCurrent } from './migrate';

let dir: string;
let db: Database;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function fresh(): Database {
  dir = tempDir('mymedic-migrate-');
  db = openDatabase(join(dir, 'test.db'));
  return db;
}

const tables = () => (db.query(`SELECT name FROM sqlite_master WHERE type IN ('table','trigger','index') ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
const recorded = () => db.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as { version: number; name: string; checksum: string }[];

const m0: Migration = { version: 0, name: '0000_notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);' };
const m1: Migration = {
  version: 1,
  name: '0001_notes_author',
  sql: `ALTER TABLE notes ADD COLUMN author TEXT;\n--> statement-breakpoint\nCREATE INDEX notes_author ON notes (author);`,
};
const m2: Migration = { version: 2, name: '0002_tags', sql: 'CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes(id), tag TEXT NOT NULL);' };

describe('migrations', () => {
  test('the shipped migrations apply to an empty database, in order, and are recorded with checksums', () => {
    fresh();
    const known = knownMigrations();
    expect(known.map((m) => m.version)).toEqual(known.map((_, i) => i));
    expect(migrate(db)).toEqual(known.map((m) => m.name));
    expect(recorded()).toEqual(known.map((m) => ({ version: m.version, name: m.name, checksum: sha256Hex(m.sql) })));
    expect(tables()).toEqual(expect.arrayContaining(['events', 'patients', 'events_no_update', 'events_no_delete']));
    expect(schemaIsCurrent(db)).toBe(true);
    expect(appliedSchemaVersion(db)).toBe(latestSchemaVersion());
  });

  test('running again applies nothing', () => {
    fresh();
    migrate(db);
    expect(migrate(db)).toEqual([]);
    expect(recorded()).toHaveLength(knownMigrations().length);
  });

  test('migrations apply in version order even when listed out of order, and each only once', () => {
    fresh();
    expect(migrate(db, [m1, m0])).toEqual(['0000_notes', '0001_notes_author']);
    db.run(`INSERT INTO notes (body, author) VALUES ('hello', 'asha')`);
    expect(migrate(db, [m2, m0, m1])).toEqual(['0002_tags']);
    expect(recorded().map((r) => r.version)).toEqual([0, 1, 2]);
    expect(db.query('SELECT body, author FROM notes').all()).toEqual([{ body: 'hello', author: 'asha' }]);
  });

  test('a database at an older version gets only the newer migrations', () => {
    fresh();
    migrate(db, [m0]);
    expect(appliedSchemaVersion(db)).toBe(0);
    expect(migrate(db, [m0, m1, m2])).toEqual(['0001_notes_author', '0002_tags']);
  });

  test('a database written by a newer mymedic is refused and left untouched', () => {
    fresh();
    migrate(db, [m0, m1, m2]);
    db.run(`INSERT INTO notes (body) VALUES ('keep me')`);
    const before = { tables: tables(), recorded: recorded() };
    const err = (() => {
      try {
        migrate(db, [m0, m1]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect(err).toMatchObject({ dbVersion: 2, knownVersion: 1 });
    expect({ tables: tables(), recorded: recorded() }).toEqual(before);
    expect(db.query('SELECT body FROM notes').all()).toEqual([{ body: 'keep me' }]);
  });

  test('opening a newer database refuses before writing anything (not even an origin id)', () => {
    fresh();
    migrate(db);
    db.run(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, '0999_future', 'x', '2030-01-01T00:00:00Z')`);
    const file = join(dir, 'test.db');
    db.close();
    expect(() => openKernelAt(file)).toThrow(SchemaTooNewError);
    db = openDatabase(file);
    expect(db.query(`SELECT count(*) AS n FROM instance_meta`).get()).toEqual({ n: 0 });
    expect(appliedSchemaVersion(db)).toBe(999);
    expect(schemaIsCurrent(db)).toBe(false);
  });

  test('a failing migration rolls back entirely: neither it nor the others of the run are applied', () => {
    fresh();
    migrate(db, [m0]);
    const before = tables();
    const broken: Migration = {
      version: 2,
      name: '0002_broken',
      sql: `CREATE TABLE half_done (id INTEGER);\n--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);`,
    };
    expect(() => migrate(db, [m0, m1, broken])).toThrow(/no_such_table/);
    expect(tables()).toEqual(before);
    expect(recorded().map((r) => r.version)).toEqual([0]);
    expect(db.query(`SELECT name FROM pragma_table_info('notes')`).all()).toEqual([{ name: 'id' }, { name: 'body' }]);
    // Once fixed, the run goes through.
    expect(migrate(db, [m0, m1, m2])).toEqual(['0001_notes_author', '0002_tags']);
  });
});
