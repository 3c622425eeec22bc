/**
 * What the bench process asks of the load client (a child process running autocannon, so that
 * the HTTP client does not share the server's event loop) and what it answers. Everything here
 * crosses the IPC channel, so it is plain data: the client builds the request hooks from it.
 */

/** A user the client acts as: the account id and a bearer token for it. */
export interface SignedInUser {
  id: string;
  accessToken: string;
}

export type LoadPlan =
  /** The same GET every time (the ceiling's /ping). */
  | { kind: 'get'; path: string }
  /** GET /v1/users/{id}: connection i reads user i's own profile (users wrap round when fewer). */
  | { kind: 'getOwnProfile'; users: SignedInUser[] }
  /**
   * PUT /v1/users/{id}: connection k cycles through its own users (those whose index ≡ k modulo
   * the connections), each request with a new name (an unchanged profile appends nothing).
   */
  | { kind: 'updateProfile'; users: SignedInUser[] }
  /** POST /v1/auth/register with a new email on every request; the answer lists the emails registered. */
  | { kind: 'register'; emailPrefix: string; password: string }
  /** POST /v1/auth/login: connection k cycles through its own emails; the answer lists who signed in. */
  | { kind: 'login'; emails: string[]; password: string }
  /**
   * POST /v1/products: run with `amount` = products.length, each product is posted once,
   * connection k posting those whose index ≡ k modulo the connections, each with the token of its
   * shop's owner (`tokens` by shop id). Bodies are serialised before the run.
   */
  | { kind: 'listProducts'; products: Array<{ shopId: string; body: string }>; tokens: Record<string, string> }
  /**
   * POST /v1/products/bulk: run with `amount` = imports.length, each import is posted once (its
   * seller's token with it), connection k posting those whose index ≡ k modulo the connections.
   * The answer counts the products the imports listed (`itemsOk`) and those they refused.
   */
  | { kind: 'importProducts'; imports: Array<{ token: string; body: string }> }
  /**
   * GETs: each connection cycles through all of `queries` in its own order (shuffled from `seed`
   * and its number); the answer has figures per query kind. Bodies are not parsed.
   */
  /**
   * Each connection cycles through the mix in its own order. `headers` go on every request
   * (X-Consistent-After makes the query API compute every answer, bypassing its answer cache).
   */
  | { kind: 'search'; queries: SearchQuery[]; seed: number; headers?: Record<string, string> };

/** One search request of a mix: its kind (for the figures per kind) and its path with the query string. */
export interface SearchQuery {
  kind: string;
  path: string;
}

export interface Latencies {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadJob {
  /** The server's base URL, e.g. http://127.0.0.1:12345. */
  url: string;
  plan: LoadPlan;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationSeconds?: number;
  /** Stop after this many responses (distributed over the connections). */
  amount?: number;
  /** Seconds to wait for one response before counting a timeout. */
  timeoutSeconds: number;
}

export interface LoadResult {
  /** Seconds from the first request to the last response. */
  durationSeconds: number;
  /** When the last response arrived, ms since the epoch (performance.timeOrigin + now), to time what follows the run. */
  lastResponseAtEpochMs: number;
  /** Responses by status code. */
  statusCodes: Record<string, number>;
  ok: number;
  notOk: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second over the run. */
  okPerSecond: number;
  /** Latencies of the 2xx responses, ms. */
  latencyMs: Latencies;
  /** search: responses and 2xx latencies per query kind. */
  byKind?: Record<string, { ok: number; notOk: number; latencyMs: Latencies }>;
  /** CPU time the load client itself used (user + system), ms: it shares the machine with the server. */
  clientCpuMs: number;
  /** register: the emails answered 201; login: the users answered 200, with their tokens. */
  registeredEmails?: string[];
  signedIn?: SignedInUser[];
  /** The newest position any command answered (for read-your-writes waits), if any. */
  lastPosition?: string;
  /** importProducts: the products listed and refused by the 2xx answers. */
  itemsOk?: number;
  itemsRefused?: number;
  /** The first few non-2xx bodies, to say what went wrong. */
  sampleFailures: Array<{ status: number; body: string }>;
}

export type ClientMessage = { ok: true; result: LoadResult } | { ok: false; error: string };
