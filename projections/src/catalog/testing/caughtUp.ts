/**
 * Waits until a projector's live generation has applied a position an append answered. (Counting
 * the events behind is not enough: the store shows a reader a new event only once no transaction
 * that began before it is still open, anywhere on the server.)
 */
import { projectorStatus, type Database, type EventStore, type Position, type ProjectorDefinition } from '@bdbazar/shared-kernel';

export async function caughtUpTo(options: { db: Database; store: EventStore; runtimeSchema: string; definition: ProjectorDefinition; position: Position }): Promise<void> {
  const { position, ...status } = options;
  for (;;) {
    const live = (await projectorStatus(status)).generations.find((g) => g.role === 'live');
    if (live?.state === 'failed') throw new Error(`The projector ${options.definition.name} failed: ${JSON.stringify(live.error)}`);
    if (live?.position && live.position >= position) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
