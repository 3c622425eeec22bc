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
  | { kind: 'login'; emails: string[]; password: string };

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
  /** Seconds from the start of the run to its last response. */
  durationSeconds: number;
  /** Responses by status code. */
  statusCodes: Record<string, number>;
  ok: number;
  notOk: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second over the run. */
  okPerSecond: number;
  /** Latencies of the 2xx responses, ms. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** CPU time the load client itself used (user + system), ms: it shares the machine with the server. */
  clientCpuMs: number;
  /** register: the emails answered 201; login: the users answered 200, with their tokens. */
  registeredEmails?: string[];
  signedIn?: SignedInUser[];
  /** The newest position any command answered (for read-your-writes waits), if any. */
  lastPosition?: string;
  /** The first few non-2xx bodies, to say what went wrong. */
  sampleFailures: Array<{ status: number; body: string }>;
}

export type ClientMessage = { ok: true; result: LoadResult } | { ok: false; error: string };
