/**
 * A CPU profile of one phase of a bench, for finding where its time went: set
 * BDBAZAR_BENCH_CPU_PROFILE to the phase's name (e.g. `paced`) and the bench writes
 * bench/results/<bench>-<phase>.cpuprofile (open it in Chrome DevTools or speedscope). The profiler
 * samples this process only, every 500 µs, and costs a few per cent of its throughput meanwhile.
 */
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const WANTED = process.env['BDBAZAR_BENCH_CPU_PROFILE'];

/** Runs `work`; if `phase` is the one asked for, under the profiler. Returns where the profile went too. */
export async function profiledPhase<T>(bench: string, phase: string, work: () => Promise<T>): Promise<T> {
  if (WANTED !== phase) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = path.resolve(__dirname, '..', 'results', `${bench}-${phase}.cpuprofile`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    process.stderr.write(`CPU profile of phase ${phase}: ${path.relative(process.cwd(), file)}\n`);
  }
}
