/**
 * What a phase cost the server from its first checkout until the marketplace was quiet again:
 * the bench process's CPU time and event loop time (the whole marketplace runs in it), its write
 * system calls (every query sent to PostgreSQL and every response is one or more) and the
 * database's transactions.
 * Divided by the checkouts, the cost of placing and reserving one, whatever the rate.
 */
import { readFileSync } from 'node:fs';
import type { OrderFacts } from './orderFacts';

interface Snapshot {
  cpu: NodeJS.CpuUsage;
  loop: ReturnType<typeof performance.eventLoopUtilization>;
  writes: number | null;
  commits: number;
  at: number;
}

export interface PhaseCost {
  ms: number;
  /** The bench process's CPU time (user + system, every thread), ms. */
  serverCpuMs: number;
  /** How long its event loop (the one thread that runs every request, projector and consumer) was busy, ms. */
  eventLoopBusyMs: number;
  /** write/writev/sendmsg calls of the bench process (Linux: /proc/self/io); null elsewhere. */
  writeSyscalls: number | null;
  commits: number;
}

/** The write system calls this process made so far (syscw of /proc/self/io); null off Linux. */
function writeSyscalls(): number | null {
  try {
    const match = /^syscw:\s*(\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null; // no procfs: the figure is left out
  }
}

export async function costSnapshot(facts: OrderFacts): Promise<Snapshot> {
  return { cpu: process.cpuUsage(), loop: performance.eventLoopUtilization(), writes: writeSyscalls(), commits: (await facts.transactions()).commits, at: performance.now() };
}

export async function costSince(facts: OrderFacts, before: Snapshot): Promise<PhaseCost> {
  const cpu = process.cpuUsage(before.cpu);
  const writes = writeSyscalls();
  const { commits } = await facts.transactions();
  return {
    ms: performance.now() - before.at,
    serverCpuMs: (cpu.user + cpu.system) / 1000,
    eventLoopBusyMs: performance.eventLoopUtilization(before.loop).active,
    writeSyscalls: writes === null || before.writes === null ? null : writes - before.writes,
    commits: commits - before.commits,
  };
}
