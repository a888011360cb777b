// Workspace schema, as a list of migrations. Version N of the schema is reached by running
// migrations[0..N-1] in order; PRAGMA user_version records the version a file is at. Never edit
// a released migration: add a new one (tests migrate from every earlier version).
export interface Migration { version: number; description: string; sql: string }

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'models, data sets, cases, runs, results and content-addressed blobs',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE models (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, abs_path TEXT, rel_path TEXT,
        sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, added_at TEXT NOT NULL,
        UNIQUE (sha256, abs_path)
      );
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, abs_path TEXT, rel_path TEXT,
        count INTEGER NOT NULL DEFAULT 0, added_at TEXT NOT NULL
      );
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL, abs_path TEXT, rel_path TEXT, label TEXT,
        UNIQUE (dataset_id, item_key)
      );
      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY, dtype TEXT NOT NULL, dims TEXT NOT NULL, data BLOB NOT NULL
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY, model_id INTEGER REFERENCES models(id), dataset_id INTEGER REFERENCES datasets(id),
        method TEXT NOT NULL, settings TEXT NOT NULL, provider TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, timings TEXT
      );
      CREATE TABLE results (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        map_hash TEXT REFERENCES blobs(hash), prediction TEXT, score REAL, metrics TEXT,
        UNIQUE (run_id, case_id)
      );
    `,
  },
  {
    version: 2,
    description: 'review verdicts per case and reviewer, with their history',
    sql: `
      CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        reviewer TEXT NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        methods TEXT NOT NULL DEFAULT '[]', given_at TEXT NOT NULL
      );
      CREATE INDEX verdicts_case_reviewer ON verdicts (case_id, reviewer, id);
    `,
  },
  {
    version: 3,
    description: 'predictions and scores on cases for filtering the case list',
    sql: `
      ALTER TABLE cases ADD COLUMN prediction TEXT;
      ALTER TABLE cases ADD COLUMN score REAL;
      CREATE INDEX cases_label ON cases (label);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
