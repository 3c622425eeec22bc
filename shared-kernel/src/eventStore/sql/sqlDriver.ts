/**
 * The little the SQL event store needs from a PostgreSQL connection, so that the same adapter runs
 * over node-postgres (a server) and PGlite (embedded, in WebAssembly).
 */
export interface SqlError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
}

export interface SqlDriver {
  /** One statement with parameters, one round trip. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (schema setup). */
  exec(sql: string): Promise<void>;
  /** Calls `onNotify` for every NOTIFY on the channel until the returned function is called. */
  listen(channel: string, onNotify: () => void, onError: (error: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
