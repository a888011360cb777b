export type StoreErrorCode = 'newer-version' | 'not-a-workspace' | 'read-only' | 'disk-full' | 'cannot-open' | 'corrupt' | 'invalid' | 'busy';

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Turn a SQLite error into one that says what happened and what to do next. */
export function explainSqliteError(e: unknown, file: string): StoreError | unknown {
  const code = (e as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_FULL')) return new StoreError('disk-full', `the disk holding ${file} is full: the last change was not saved; free some space and try again`);
  if (code.startsWith('SQLITE_READONLY')) return new StoreError('read-only', `${file} cannot be written (read-only file or folder): save the workspace somewhere writable with "Save as…"`);
  if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError('cannot-open', `cannot open ${file}: the folder does not exist or cannot be written`);
  if (code.startsWith('SQLITE_NOTADB')) return new StoreError('not-a-workspace', `${file} is not a Receptive workspace (not an SQLite database)`);
  // A damaged schema (a table or column name changed inside the file) reads as a missing table.
  if (code === 'SQLITE_ERROR' && /no such (table|column)|malformed database schema/.test((e as Error).message)) return new StoreError('corrupt', `${file} is damaged (${(e as Error).message}); open a backup`);
  if (code.startsWith('SQLITE_CORRUPT')) return new StoreError('corrupt', `${file} is damaged (SQLite reports corruption); open a backup`);
  if (code.startsWith('SQLITE_FORMAT')) return new StoreError('corrupt', `${file} is damaged (SQLite cannot read its format); open a backup`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreError('busy', `${file} is locked by another program; close it there and try again`);
  // Any other SQLite failure is about this file (a damaged header, an impossible page size…):
  // still a clear, typed error rather than a raw driver message.
  if ((e as Error)?.name === 'SqliteError' || code.startsWith('SQLITE_')) return new StoreError('corrupt', `${file} could not be used: SQLite says "${(e as Error).message}"; open a backup`);
  return e;
}
