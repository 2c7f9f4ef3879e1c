import Database from 'better-sqlite3';

/** Opens an existing ledger file read-only for reports (`circuit-breaker usage --db`); WAL lets it read while a gateway writes. */
export function openLedgerReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}
