/** Runs the projections CLI as `npm run projections` does, and answers what it printed. */
import { PassThrough } from 'node:stream';
import { runProjectionsCli, silentLogger, type ProjectionsCliDependencies } from '../../src';

export async function projectionsCliOutput(argv: string[], deps: Omit<ProjectionsCliDependencies, 'out' | 'logger'>): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await runProjectionsCli(argv, { logger: silentLogger(), out, ...deps });
  return text;
}
