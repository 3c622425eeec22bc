/**
 * The bench process's side of the checkout client: forks it once (checkoutClient.ts) and sends it
 * one job at a time, measuring how busy the machine, this process and the client were meanwhile
 * (httpBench/load.ts's CPU split).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { withCpu, type CpuSplit, type MeasuredLoad } from '../httpBench/load';
import type { OrderClientMessage, OrderJob, OrderJobResult } from './protocol';

export interface MeasuredOrderJob extends OrderJobResult {
  load: MeasuredLoad;
  cpu: CpuSplit;
}

export class CheckoutClient {
  private constructor(private readonly child: ChildProcess) {}

  static start(): CheckoutClient {
    const child = fork(path.join(__dirname, 'checkoutClient.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return new CheckoutClient(child);
  }

  async run(job: OrderJob): Promise<MeasuredOrderJob> {
    const { result, cpu } = await withCpu(
      () =>
        new Promise<OrderJobResult>((resolve, reject) => {
          if (!this.child.connected) {
            reject(new Error(`The checkout client is gone (exit code ${this.child.exitCode}, signal ${this.child.signalCode}).`));
            return;
          }
          const onExit = (code: number | null) => reject(new Error(`The checkout client exited (code ${code}) during a job.`));
          this.child.once('exit', onExit);
          this.child.once('message', (message: OrderClientMessage) => {
            this.child.off('exit', onExit);
            if (message.ok) resolve(message.result);
            else reject(new Error(`The checkout client failed: ${message.error}`));
          });
          // With a callback, a closed channel fails this job instead of crashing the bench before it drops its database.
          this.child.send(job, (error) => {
            if (error) reject(error);
          });
        }),
      (outcome) => outcome.load.clientCpuMs,
    );
    return { ...result, load: { ...result.load, cpu }, cpu };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
