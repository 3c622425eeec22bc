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
  /** Whether other processes may write to the same database (then commits are announced with NOTIFY). */
  readonly sharedWithOtherProcesses: boolean;
  /** How many queries it runs at once (a pool's connections; 1 for PGlite): more wait their turn. */
  readonly concurrentQueries: number;
  /**
   * Whether many rows cost it more than one JSON value holding them: PGlite reads each field of
   * the wire protocol in JavaScript, copying it, where node-postgres reads rows faster than a big
   * JSON text is parsed.
   */
  readonly fieldsAreCostly: boolean;
  /** One statement with parameters, one round trip. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** The same, with each row as an array of its columns in select order. */
  queryArrays<Row extends unknown[]>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (schema setup). */
  exec(sql: string): Promise<void>;
  /** Calls `onNotify` with its payload for every NOTIFY on the channel until the returned function is called. */
  listen(channel: string, onNotify: (payload: string | undefined) => void, onError: (error: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
