/**
 * catalog.sqlite: the store's source of truth. One row per object (id, sky position, labels,
 * file paths, the model that embedded it), the float32 copy of every vector, and the journal
 * that lets the HNSW files lag behind it safely.
 *
 * Tables (schema version 1; `meta` holds the version and a store refuses any other):
 *   meta(key, value)                       schema_version, store_id, model_id, dimension, created_at, seq
 *   objects(label, id, ra, dec, <OBJECT_COLUMNS>, model_id, extra)
 *                                          label: INTEGER PRIMARY KEY AUTOINCREMENT, the 32-bit HNSW
 *                                          label, never reused, so a label left marked-deleted
 *                                          in a graph can never come back as another object
 *   vectors_<modality>(label, seq, vector) unit float32 BLOBs; seq is the change counter of the
 *                                          write, compared with the manifest's checkpoint
 *   tombstones(modality, label, seq)       labels deleted from the catalog that an index file
 *                                          may still hold; replayed as markDelete at open
 *
 * Every write is one SQLite transaction that also advances meta.seq. WAL mode, synchronous=FULL:
 * a commit is durable before the store touches the graph, so the graph can only ever be behind
 * the catalog, and the journal says by how much.
 */
import Database from 'better-sqlite3';
import { SkyclipError } from '../util/errors.js';
import { OBJECT_COLUMNS, decodeObject, encodeObject, type ObjectInput, type ObjectRow } from './columns.js';
import { MODALITIES, type Modality } from './config.js';
import { ANGSEP_FUNCTION, compileFilter, type SearchFilter } from './filter.js';
import { angularSeparationDeg } from './sky.js';
import { fromBlob, toBlob } from './vectors.js';

export const CATALOG_SCHEMA_VERSION = 1;

/** Largest label hnswlib-node can hold (labels cross its binding as uint32). */
export const MAX_LABEL = 2 ** 32 - 1;

export interface CatalogMeta {
  schemaVersion: number;
  storeId: string;
  modelId: string;
  dimension: number;
  createdAt: string;
}

function vectorTable(modality: Modality): string {
  if (!MODALITIES.includes(modality)) throw new SkyclipError('BAD_INPUT', `unknown modality ${modality}`);
  return `vectors_${modality}`;
}

function schemaSql(): string {
  const columns = OBJECT_COLUMNS.map((c) => `  ${c.name} ${c.type === 'real' ? 'REAL' : c.type === 'bool' ? 'INTEGER CHECK (' + c.name + ' IN (0, 1))' : 'TEXT'},`).join('\n');
  const vectors = MODALITIES.map(
    (m) => `CREATE TABLE ${vectorTable(m)} (
  label INTEGER PRIMARY KEY REFERENCES objects(label),
  seq INTEGER NOT NULL,
  vector BLOB NOT NULL
);
CREATE INDEX ${vectorTable(m)}_seq ON ${vectorTable(m)} (seq);`,
  ).join('\n');
  return `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE objects (
  label INTEGER PRIMARY KEY AUTOINCREMENT CHECK (label BETWEEN 1 AND ${MAX_LABEL}),
  id TEXT NOT NULL UNIQUE,
  ra REAL NOT NULL CHECK (ra >= 0 AND ra < 360),
  dec REAL NOT NULL CHECK (dec BETWEEN -90 AND 90),
${columns}
  model_id TEXT,
  extra TEXT
);
CREATE INDEX objects_sky ON objects (dec, ra);
CREATE INDEX objects_class ON objects (class);
CREATE INDEX objects_z ON objects (z);
CREATE INDEX objects_split ON objects (split);
${vectors}
CREATE TABLE tombstones (
  modality TEXT NOT NULL,
  label INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (modality, label)
);
`;
}

function wrapSqliteError(path: string, err: unknown): never {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    throw new SkyclipError('UNUSABLE', `${path} is not a readable SQLite database (${code}); the catalog is corrupted`, { path, code });
  }
  if (code === 'SQLITE_CANTOPEN') throw new SkyclipError('NOT_FOUND', `${path} cannot be opened`, { path, code });
  throw err;
}

export interface VectorWrite {
  label: number;
  vector: Float32Array;
}

export class Catalog {
  readonly meta: CatalogMeta;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly readOnly: boolean,
  ) {
    db.function(ANGSEP_FUNCTION, { deterministic: true }, (ra1, dec1, ra2, dec2) =>
      angularSeparationDeg(ra1 as number, dec1 as number, ra2 as number, dec2 as number),
    );
    this.meta = this.readMeta();
  }

  /** Creates a new catalog file (which must not exist). */
  static create(path: string, meta: Omit<CatalogMeta, 'schemaVersion'>): Catalog {
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.transaction(() => {
        db.exec(schemaSql());
        const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        put.run('schema_version', String(CATALOG_SCHEMA_VERSION));
        put.run('store_id', meta.storeId);
        put.run('model_id', meta.modelId);
        put.run('dimension', String(meta.dimension));
        put.run('created_at', meta.createdAt);
        put.run('seq', '0');
      })();
      return new Catalog(db, path, false);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Opens an existing catalog; refuses one whose schema version this code does not know. */
  static open(path: string, options: { readOnly?: boolean } = {}): Catalog {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readOnly ?? false, fileMustExist: true });
    } catch (err) {
      wrapSqliteError(path, err);
    }
    try {
      db.pragma('busy_timeout = 5000');
      if (!options.readOnly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      return new Catalog(db, path, options.readOnly ?? false);
    } catch (err) {
      db.close();
      if (err instanceof SkyclipError) throw err;
      wrapSqliteError(path, err);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private readMeta(): CatalogMeta {
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (!hasMeta) throw new SkyclipError('UNUSABLE', `${this.path} is not a skyclip catalog (no meta table)`, { path: this.path });
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const version = Number(meta.get('schema_version'));
    if (version !== CATALOG_SCHEMA_VERSION) {
      throw new SkyclipError(
        'UNSUPPORTED',
        `${this.path} has catalog schema version ${meta.get('schema_version') ?? '(none)'}; this skyclip reads version ${CATALOG_SCHEMA_VERSION} and has no migration for it`,
        { path: this.path, version: meta.get('schema_version') },
      );
    }
    for (const key of ['store_id', 'model_id', 'dimension', 'created_at', 'seq']) {
      if (!meta.has(key)) throw new SkyclipError('UNUSABLE', `${this.path} meta table lacks '${key}'`, { path: this.path });
    }
    return {
      schemaVersion: version,
      storeId: meta.get('store_id')!,
      modelId: meta.get('model_id')!,
      dimension: Number(meta.get('dimension')),
      createdAt: meta.get('created_at')!,
    };
  }

  /** A prepared statement, cached by its text (filters make a handful of distinct ones). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 256) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private writable(): void {
    if (this.readOnly) throw new SkyclipError('CONFLICT', `${this.path} is open read-only`);
  }

  /** The change counter: the seq of the latest vector write or deletion. */
  seq(): number {
    return Number((this.stmt("SELECT value FROM meta WHERE key = 'seq'").get() as { value: string }).value);
  }

  private nextSeq(): number {
    const seq = this.seq() + 1;
    this.stmt("UPDATE meta SET value = ? WHERE key = 'seq'").run(String(seq));
    return seq;
  }

  // -------------------------------------------------------------------------------------------
  // Objects
  // -------------------------------------------------------------------------------------------

  /**
   * Inserts or replaces catalog rows (one transaction). An existing id keeps its label, its
   * vectors and its model_id; its catalog fields are replaced by the given ones.
   */
  upsertObjects(rows: readonly ObjectInput[]): { inserted: number; updated: number } {
    this.writable();
    const encoded = rows.map((r) => encodeObject(r));
    const seen = new Set<string>();
    for (const e of encoded) {
      if (seen.has(e.id)) throw new SkyclipError('BAD_INPUT', `object id ${JSON.stringify(e.id)} appears twice in one upsert`);
      seen.add(e.id);
    }
    const names = OBJECT_COLUMNS.map((c) => c.name);
    const sql =
      `INSERT INTO objects (id, ra, dec, ${names.join(', ')}, extra) VALUES (?, ?, ?, ${names.map(() => '?').join(', ')}, ?) ` +
      `ON CONFLICT (id) DO UPDATE SET ra = excluded.ra, dec = excluded.dec, ${names.map((n) => `${n} = excluded.${n}`).join(', ')}, extra = excluded.extra`;
    const upsert = this.stmt(sql);
    const exists = this.stmt('SELECT 1 FROM objects WHERE id = ?').pluck();
    let inserted = 0;
    this.db.transaction(() => {
      for (const e of encoded) {
        if (!exists.get(e.id)) inserted++;
        upsert.run(e.id, e.ra, e.dec, ...e.values, e.extra);
      }
    })();
    return { inserted, updated: encoded.length - inserted };
  }

  /** Labels of the given ids that exist. */
  labelsOf(ids: readonly string[]): Map<string, number> {
    const rows = this.stmt('SELECT id, label FROM objects WHERE id IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(ids)) as Array<[string, number]>;
    return new Map(rows);
  }

  get(id: string): ObjectRow | undefined {
    const raw = this.stmt('SELECT * FROM objects WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return raw ? decodeObject(raw) : undefined;
  }

  /** Rows of the given labels (missing labels are absent from the map). */
  rowsByLabel(labels: readonly number[]): Map<number, ObjectRow> {
    const rows = this.stmt('SELECT * FROM objects WHERE label IN (SELECT value FROM json_each(?))').all(JSON.stringify(labels)) as Array<Record<string, unknown>>;
    return new Map(rows.map((r) => [r.label as number, decodeObject(r)]));
  }

  idsByLabel(labels: readonly number[]): Map<number, string> {
    const rows = this.stmt('SELECT label, id FROM objects WHERE label IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(labels)) as Array<[number, string]>;
    return new Map(rows);
  }

  countObjects(): number {
    return this.stmt('SELECT count(*) FROM objects').pluck().get() as number;
  }

  /** Objects passing `filter`, in label (insertion) order. */
  select(filter: SearchFilter | undefined, limit: number, offset: number): ObjectRow[] {
    const f = compileFilter(filter, 'o');
    const rows = this.stmt(`SELECT o.* FROM objects o WHERE ${f.where} ORDER BY o.label LIMIT ? OFFSET ?`).all(...f.params, limit, offset) as Array<Record<string, unknown>>;
    return rows.map(decodeObject);
  }

  /**
   * For each of `ids` in the catalog, the modalities in which it has a vector (ids not in the
   * catalog are absent). One query per 10,000 ids: what an ingest plan asks of a whole source.
   */
  vectorModalitiesOfIds(ids: readonly string[]): Map<string, Modality[]> {
    const exists = MODALITIES.map((m) => `EXISTS (SELECT 1 FROM ${vectorTable(m)} v WHERE v.label = o.label)`).join(', ');
    const query = this.stmt(`SELECT o.id, ${exists} FROM objects o WHERE o.id IN (SELECT value FROM json_each(?))`).raw();
    const out = new Map<string, Modality[]>();
    for (let start = 0; start < ids.length; start += 10_000) {
      const rows = query.all(JSON.stringify(ids.slice(start, start + 10_000))) as Array<[string, ...number[]]>;
      for (const [id, ...flags] of rows) out.set(id, MODALITIES.filter((_, i) => flags[i] === 1));
    }
    return out;
  }

  /** Which modalities have a vector for `label`. */
  modalitiesOf(label: number): Modality[] {
    return MODALITIES.filter((m) => this.stmt(`SELECT 1 FROM ${vectorTable(m)} WHERE label = ?`).get(label) !== undefined);
  }

  /**
   * Removes objects, their vectors and writes tombstones for each vector removed, in one
   * transaction. Returns the (modality, label) pairs the graphs must mark deleted.
   */
  deleteObjects(labels: readonly number[]): { seq: number; removed: Array<{ modality: Modality; label: number }> } {
    this.writable();
    const removed: Array<{ modality: Modality; label: number }> = [];
    let seq = 0;
    this.db.transaction(() => {
      seq = this.nextSeq();
      const tomb = this.stmt('INSERT OR REPLACE INTO tombstones (modality, label, seq) VALUES (?, ?, ?)');
      for (const m of MODALITIES) {
        const del = this.stmt(`DELETE FROM ${vectorTable(m)} WHERE label = ? RETURNING label`).pluck();
        for (const label of labels) {
          if (del.get(label) !== undefined) {
            tomb.run(m, label, seq);
            removed.push({ modality: m, label });
          }
        }
      }
      const delObject = this.stmt('DELETE FROM objects WHERE label = ?');
      for (const label of labels) delObject.run(label);
    })();
    return { seq, removed };
  }

  // -------------------------------------------------------------------------------------------
  // Vectors
  // -------------------------------------------------------------------------------------------

  /**
   * Stores unit vectors for existing objects (one transaction, one new seq) and records the
   * model on their rows. Returns how many were new to the modality.
   */
  writeVectors(modality: Modality, items: readonly VectorWrite[], modelId: string): { seq: number; inserted: number } {
    this.writable();
    const table = vectorTable(modality);
    let seq = 0;
    let inserted = 0;
    this.db.transaction(() => {
      seq = this.nextSeq();
      const exists = this.stmt(`SELECT 1 FROM ${table} WHERE label = ?`).pluck();
      const put = this.stmt(`INSERT INTO ${table} (label, seq, vector) VALUES (?, ?, ?) ON CONFLICT (label) DO UPDATE SET seq = excluded.seq, vector = excluded.vector`);
      const model = this.stmt('UPDATE objects SET model_id = ? WHERE label = ?');
      for (const { label, vector } of items) {
        if (!exists.get(label)) inserted++;
        put.run(label, seq, toBlob(vector));
        model.run(modelId, label);
      }
    })();
    return { seq, inserted };
  }

  countVectors(modality: Modality): number {
    return this.stmt(`SELECT count(*) FROM ${vectorTable(modality)}`).pluck().get() as number;
  }

  /** [label, seq] of every vector of the modality, in label order. */
  vectorSeqs(modality: Modality): Array<[number, number]> {
    return this.stmt(`SELECT label, seq FROM ${vectorTable(modality)} ORDER BY label`).raw().all() as Array<[number, number]>;
  }

  /** Vectors written after `minSeqExclusive`. */
  countVectorsAfter(modality: Modality, minSeqExclusive: number): number {
    return this.stmt(`SELECT count(*) FROM ${vectorTable(modality)} WHERE seq > ?`).pluck().get(minSeqExclusive) as number;
  }

  /**
   * One page of [label, unit vector] written after `minSeqExclusive`, with labels above
   * `afterLabel`, in label order. Paging by label (not one open cursor) lets the caller yield
   * to the event loop between pages: better-sqlite3 refuses other statements while a cursor is open.
   */
  vectorPage(modality: Modality, dim: number, page: { minSeqExclusive: number; afterLabel: number; limit: number }): Array<[number, Float32Array]> {
    const rows = this.stmt(`SELECT label, vector FROM ${vectorTable(modality)} WHERE seq > ? AND label > ? ORDER BY label LIMIT ?`)
      .raw()
      .all(page.minSeqExclusive, page.afterLabel, page.limit) as Array<[number, Buffer]>;
    return rows.map(([label, blob]) => [label, fromBlob(blob, dim, label)]);
  }

  /** All [label, unit vector] pairs of the modality, in label order, read at once (the exact-search scan). */
  allVectors(modality: Modality, dim: number): Array<[number, Float32Array]> {
    const rows = this.stmt(`SELECT label, vector FROM ${vectorTable(modality)}`).raw().all() as Array<[number, Buffer]>;
    return rows.map(([label, blob]) => [label, fromBlob(blob, dim, label)]);
  }

  /** [label, unit vector] for the given labels that have one. */
  vectorsFor(modality: Modality, labels: readonly number[], dim: number): Array<[number, Float32Array]> {
    const rows = this.stmt(`SELECT label, vector FROM ${vectorTable(modality)} WHERE label IN (SELECT value FROM json_each(?))`)
      .raw()
      .all(JSON.stringify(labels)) as Array<[number, Buffer]>;
    return rows.map(([label, blob]) => [label, fromBlob(blob, dim, label)]);
  }

  getVector(modality: Modality, label: number, dim: number): Float32Array | undefined {
    const blob = this.stmt(`SELECT vector FROM ${vectorTable(modality)} WHERE label = ?`).pluck().get(label) as Buffer | undefined;
    return blob ? fromBlob(blob, dim, label) : undefined;
  }

  /** Objects passing `filter` (with or without vectors): the filter's selectivity. */
  countFiltered(filter: SearchFilter | undefined): number {
    const f = compileFilter(filter, 'o');
    return this.stmt(`SELECT count(*) FROM objects o WHERE ${f.where}`).pluck().get(...f.params) as number;
  }

  /** Those of `labels` whose objects pass `filter` (the post-filter check of a graph walk's hits). */
  labelsPassing(labels: readonly number[], filter: SearchFilter | undefined): Set<number> {
    const f = compileFilter(filter, 'o');
    const rows = this.stmt(`SELECT o.label FROM objects o WHERE o.label IN (SELECT value FROM json_each(?)) AND ${f.where}`)
      .pluck()
      .all(JSON.stringify(labels), ...f.params) as number[];
    return new Set(rows);
  }

  /** Labels passing `filter` that have a vector in `modality`. */
  filteredLabels(modality: Modality, filter: SearchFilter | undefined): number[] {
    const f = compileFilter(filter, 'o');
    return this.stmt(`SELECT o.label FROM objects o JOIN ${vectorTable(modality)} v ON v.label = o.label WHERE ${f.where}`)
      .pluck()
      .all(...f.params) as number[];
  }

  // -------------------------------------------------------------------------------------------
  // Tombstones
  // -------------------------------------------------------------------------------------------

  tombstones(modality: Modality): Array<{ label: number; seq: number }> {
    return this.stmt('SELECT label, seq FROM tombstones WHERE modality = ? ORDER BY label').all(modality) as Array<{ label: number; seq: number }>;
  }

  /** Forgets tombstones no index file can hold any more (written before the graph was rebuilt). */
  purgeTombstones(modality: Modality, maxSeq: number): number {
    this.writable();
    return this.stmt('DELETE FROM tombstones WHERE modality = ? AND seq <= ?').run(modality, maxSeq).changes;
  }
}
