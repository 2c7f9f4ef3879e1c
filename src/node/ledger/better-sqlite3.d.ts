/**
 * The part of better-sqlite3's API the ledger uses. The package ships no types and `@types/better-sqlite3` is not
 * installed; this declares only what we call, so a wrong call is still a type error.
 * @see https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md
 */
declare module 'better-sqlite3' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement {
      run(...parameters: unknown[]): RunResult;
      get(...parameters: unknown[]): unknown;
      all(...parameters: unknown[]): unknown[];
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
    interface Database {
      prepare(sql: string): Statement;
      exec(sql: string): Database;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends (...args: never[]) => unknown>(fn: F): F;
      close(): Database;
      readonly open: boolean;
    }
  }
  const Database: {
    new (filename: string, options?: Database.Options): Database.Database;
  };
  export = Database;
}
