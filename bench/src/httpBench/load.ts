/**
 * The bench process's side of the load client: forks it once (loadClient.ts) and sends it one job
 * at a time, measuring how busy the machine, this process and the client were meanwhile.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClientMessage, LoadJob, LoadResult } from './protocol';

/** Where the CPU time of a run went, in cores (1 = one CPU fully busy on average). */
export interface CpuSplit {
  /** The whole machine: every process, PostgreSQL included. */
  machine: number;
  /** This process: the server's event loop, libuv's thread pool (bcrypt), GC. */
  server: number;
  /** The share of the time this process's event loop was busy (0 to 1): near 1, the one thread is the limit. */
  serverEventLoop: number;
  /** The load client (autocannon). */
  client: number;
  /** The PostgreSQL server's processes on this machine (null where /proc cannot tell). */
  postgres: number | null;
  /** Everything else: other work on the machine (and PostgreSQL when it could not be told apart). */
  other: number;
}

export interface MeasuredLoad extends LoadResult {
  cpu: CpuSplit;
}

function machineBusyMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/** Linux counts a process's CPU time in USER_HZ ticks, 100 a second on every common build. */
const MS_PER_TICK = 10;

/** A process's name and its CPU time (user + system) so far, ms, from its /proc/<pid>/stat; null once it is gone. */
function processCpu(pid: number | string): { name: string; ms: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone meanwhile
  }
  const close = stat.lastIndexOf(')');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (proc(5)).
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), ms: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
}

/**
 * CPU time (user + system) so far of every process named `postgres` on this machine, ms by pid;
 * null off Linux.
 */
function postgresCpuMs(): Map<number, number> | null {
  if (process.platform !== 'linux') return null;
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = processCpu(entry);
    if (cpu?.name === 'postgres') byPid.set(Number(entry), cpu.ms);
  }
  return byPid;
}

/**
 * Processes' CPU time between two samples, ms: what each used since the first (all of it for one
 * started since). A process that exited meanwhile (a PostgreSQL backend whose pool closed an idle
 * connection) takes its time with it, so this can only undercount.
 */
function cpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after || after.size === 0) return null; // a server elsewhere: nothing to tell apart
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Processes whose CPU time counts as the server's besides this one's: a cluster's HTTP workers. */
let serverWorkers: () => number[] = () => [];

/** Counts these processes' CPU time as the server's from now on (see BenchMarketplace.workerPids). */
export function countAsServer(pids: () => number[]): void {
  serverWorkers = pids;
}

/** CPU time (user + system) so far of each process, ms by pid; a process gone counts nothing. */
function processesCpuMs(pids: readonly number[]): Map<number, number> {
  const byPid = new Map<number, number>();
  if (process.platform !== 'linux') return byPid;
  for (const pid of pids) {
    const cpu = processCpu(pid);
    if (cpu) byPid.set(pid, cpu.ms);
  }
  return byPid;
}

/** Samples the machine's, this process's and PostgreSQL's CPU time around `work`; the caller adds the load client's. */
export async function withCpu<T>(work: () => Promise<T>, otherProcessCpuMs?: (result: T) => number): Promise<{ result: T; cpu: CpuSplit }> {
  const machineBefore = machineBusyMs();
  const postgresBefore = postgresCpuMs();
  const workers = serverWorkers();
  const workersBefore = processesCpuMs(workers);
  const serverBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const started = performance.now();
  const result = await work();
  const elapsedMs = performance.now() - started;
  const serverUsage = process.cpuUsage(serverBefore);
  const workersMs = cpuBetween(workersBefore, processesCpuMs(workers)) ?? 0;
  const serverEventLoop = performance.eventLoopUtilization(loopBefore).utilization;
  const postgresAfter = postgresCpuMs();
  const machineAfter = machineBusyMs();
  const cores = os.cpus().length;
  // os.cpus() times are in ms per CPU; busy share of all CPUs times their number gives cores.
  const machine = ((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) * cores;
  const server = ((serverUsage.user + serverUsage.system) / 1000 + workersMs) / elapsedMs;
  const client = (otherProcessCpuMs?.(result) ?? 0) / elapsedMs;
  const postgresMs = cpuBetween(postgresBefore, postgresAfter);
  const postgres = postgresMs === null ? null : postgresMs / elapsedMs;
  return { result, cpu: { machine, server, serverEventLoop, client, postgres, other: Math.max(0, machine - server - client - (postgres ?? 0)) } };
}

export class LoadClient {
  private constructor(private readonly child: ChildProcess) {}

  static start(): LoadClient {
    // The structured clone rather than JSON over the channel: a catalogue job carries tens of MB of bodies.
    const child = fork(path.join(__dirname, 'loadClient.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return new LoadClient(child);
  }

  /** Runs one job; resolves with autocannon's figures and the CPU split over the run. */
  async run(job: LoadJob): Promise<MeasuredLoad> {
    const { result, cpu } = await withCpu(
      () =>
        new Promise<LoadResult>((resolve, reject) => {
          const onExit = (code: number | null) => reject(new Error(`The load client exited (code ${code}) during a job.`));
          this.child.once('exit', onExit);
          this.child.once('message', (message: ClientMessage) => {
            this.child.off('exit', onExit);
            if (message.ok) resolve(message.result);
            else reject(new Error(`The load client failed: ${message.error}`));
          });
          this.child.send(job);
        }),
      (outcome) => outcome.clientCpuMs,
    );
    return { ...result, cpu };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
