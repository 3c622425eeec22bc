/**
 * Problems that belong to HTTP rather than to the domain (a service not ready, a read model that
 * has not caught up, a request still in flight): they carry their own status and headers.
 * Domain refusals are the classes of ../errors.ts.
 */
export interface HttpProblemInit {
  status: number;
  /** A stable, machine-readable code; the problem's `type` is made from it. */
  code: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

export class HttpProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: HttpProblemInit) {
    super(init.detail);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}
