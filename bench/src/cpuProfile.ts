/**
 * A profile of one phase of a bench, for finding where its time went: set
 * BDBAZAR_BENCH_CPU_PROFILE to the phase's name (e.g. `paced`) and the bench writes
 * bench/results/<bench>-<phase>.cpuprofile (open it in Chrome DevTools or speedscope). The profiler
 * samples this process only, every 500 µs, and costs a few per cent of its throughput meanwhile.
 *
 * BDBAZAR_BENCH_HEAP_PROFILE=<phase> samples what the phase allocates instead (every 32 KiB,
 * garbage included: what the young generation's collections have to sweep), in
 * bench/results/<bench>-<phase>.heapprofile (DevTools' Memory tab opens it).
 */
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const CPU_PHASE = process.env['BDBAZAR_BENCH_CPU_PROFILE'];
const HEAP_PHASE = process.env['BDBAZAR_BENCH_HEAP_PROFILE'];
const HEAP_SAMPLING_BYTES = 32 * 1024;

/** Runs `work`; if `phase` is the one asked for, under the profiler. */
export async function profiledPhase<T>(bench: string, phase: string, work: () => Promise<T>): Promise<T> {
  const cpu = CPU_PHASE === phase;
  const heap = HEAP_PHASE === phase;
  if (!cpu && !heap) return work();
  const session = new Session();
  session.connect();
  if (cpu) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  if (heap) {
    await session.post('HeapProfiler.enable');
    // The flags (newer than @types/node's protocol types) keep the samples of objects already
    // collected: the allocation rate, not what stayed.
    const sampling: { samplingInterval: number; includeObjectsCollectedByMajorGC: boolean; includeObjectsCollectedByMinorGC: boolean } = {
      samplingInterval: HEAP_SAMPLING_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    };
    await session.post('HeapProfiler.startSampling', sampling);
  }
  try {
    return await work();
  } finally {
    if (cpu) await save(bench, phase, 'cpuprofile', 'CPU', (await session.post('Profiler.stop')).profile);
    if (heap) await save(bench, phase, 'heapprofile', 'allocation', (await session.post('HeapProfiler.stopSampling')).profile);
    session.disconnect();
  }
}

async function save(bench: string, phase: string, extension: string, kind: string, profile: unknown): Promise<void> {
  const file = path.resolve(__dirname, '..', 'results', `${bench}-${phase}.${extension}`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(profile));
  process.stderr.write(`${kind} profile of phase ${phase}: ${path.relative(process.cwd(), file)}\n`);
}
