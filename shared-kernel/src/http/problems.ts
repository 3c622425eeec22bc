/** RFC 9457 problem details: the one shape every error response of every service has. */
import type { Response } from 'express';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return `https://bdbazar.dev/problems/${code}`;
}

/**
 * Writes a problem. It is sent as text, not through `res.json`, so that the response validator
 * does not judge it: every route may answer every problem, whether its document lists it or not.
 */
export function writeProblem(res: Response, problem: Problem, headers: Readonly<Record<string, string>> = {}): void {
  res.status(problem.status).set(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
