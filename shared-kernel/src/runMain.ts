/**
 * Runs a service as the process's main: starts it, stops it cleanly (once) on SIGINT or SIGTERM,
 * and turns a start-up failure into a message and an exit code: a configuration error says what
 * to fix without a stack; anything else is printed whole.
 */
import { ConfigError } from './config';

export interface Stoppable {
  stop(): Promise<void>;
}

export function runMain(start: () => Promise<Stoppable>): void {
  start().then(
    (service) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        service.stop().then(
          () => undefined,
          (error: unknown) => {
            console.error('Stopping failed:', error);
            process.exitCode = 1;
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    },
  );
}
