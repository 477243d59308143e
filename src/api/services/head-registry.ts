/**
 * Few-shot heads trained through the API, persisted in service.sqlite next to the store: one
 * row per head with what it predicts, which embedding it reads, the model whose space it was
 * trained in, and the head itself as the JSON that src/heads' loadHead reads back. SQLite
 * commits each insert or delete atomically, so a crash never leaves half a head.
 *
 *   const registry = HeadRegistry.open('index-data/demo-store/service.sqlite');
 *   registry.add(info, head.toJSON());
 *   registry.head(id);           // the loaded Head (cached)
 */
import Database from 'better-sqlite3';
import { type Head, loadHead } from '../../heads/index.js';
import type { Modality } from '../../store/index.js';
import { SkyclipError } from '../../util/errors.js';
import type { PredictTarget } from '../schemas.js';

export interface HeadRecord {
  id: string;
  name: string;
  target: PredictTarget;
  /** Catalog column of the target. */
  column: string;
  task: 'regression' | 'classification';
  modality: Modality;
  /** 'mlp', 'ridge', 'softmax' or 'prototype'. */
  kind: string;
  /** Model whose embedding space the head was trained in. */
  modelId: string;
  /** Labelled examples it was trained on. */
  examples: number;
  classes?: string[];
  createdAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS heads (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  target TEXT NOT NULL,
  column_name TEXT NOT NULL,
  task TEXT NOT NULL,
  modality TEXT NOT NULL,
  kind TEXT NOT NULL,
  model_id TEXT NOT NULL,
  examples INTEGER NOT NULL,
  classes TEXT,
  created_at TEXT NOT NULL,
  head_json TEXT NOT NULL
);`;

interface Row {
  id: string;
  name: string;
  target: string;
  column_name: string;
  task: string;
  modality: string;
  kind: string;
  model_id: string;
  examples: number;
  classes: string | null;
  created_at: string;
  head_json: string;
}

function toRecord(r: Row): HeadRecord {
  return {
    id: r.id,
    name: r.name,
    target: r.target as PredictTarget,
    column: r.column_name,
    task: r.task as HeadRecord['task'],
    modality: r.modality as Modality,
    kind: r.kind,
    modelId: r.model_id,
    examples: r.examples,
    ...(r.classes ? { classes: JSON.parse(r.classes) as string[] } : {}),
    createdAt: r.created_at,
  };
}

export class HeadRegistry {
  private readonly loaded = new Map<string, Head>();

  private constructor(private readonly db: Database.Database) {}

  static open(path: string): HeadRegistry {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    return new HeadRegistry(db);
  }

  add(record: HeadRecord, headJson: object): void {
    this.db
      .prepare(
        `INSERT INTO heads (id, name, target, column_name, task, modality, kind, model_id, examples, classes, created_at, head_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.name,
        record.target,
        record.column,
        record.task,
        record.modality,
        record.kind,
        record.modelId,
        record.examples,
        record.classes ? JSON.stringify(record.classes) : null,
        record.createdAt,
        JSON.stringify(headJson),
      );
  }

  list(): HeadRecord[] {
    return (this.db.prepare('SELECT * FROM heads ORDER BY created_at, id').all() as Row[]).map(toRecord);
  }

  get(id: string): HeadRecord | undefined {
    const row = this.db.prepare('SELECT * FROM heads WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The record and the loaded head; NOT_FOUND for an unknown id. */
  head(id: string): { record: HeadRecord; head: Head } {
    const row = this.db.prepare('SELECT * FROM heads WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new SkyclipError('NOT_FOUND', `no head with id ${JSON.stringify(id)} (list them with GET /v1/heads)`, { id });
    let head = this.loaded.get(id);
    if (!head) {
      head = loadHead(JSON.parse(row.head_json));
      this.loaded.set(id, head);
    }
    return { record: toRecord(row), head };
  }

  delete(id: string): boolean {
    this.loaded.delete(id);
    return this.db.prepare('DELETE FROM heads WHERE id = ?').run(id).changes > 0;
  }

  close(): void {
    this.loaded.clear();
    if (this.db.open) this.db.close();
  }
}
