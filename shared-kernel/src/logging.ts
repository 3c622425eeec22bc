/** Structured logs (pino). Services make one logger at their entrypoint and hand it down. */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({ name: options.name, level: options.level ?? process.env['LOG_LEVEL'] ?? 'info' });
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
