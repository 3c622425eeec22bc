/**
 * The category tree's use cases: an admin creates, renames, moves and retires categories; every
 * product listing checks its category here. The tree is one stream, read through a cache that
 * only reads what was appended since its last look.
 *
 * A listing is accepted on the tree as this process read it at most `acceptWithinMs` ago (it
 * learns its own changes at once), so that a burst of listings does not read the stream once
 * each: a category another replica retired within that time still takes a listing, as it would
 * have a moment earlier. A refusal is always decided on a fresh read, so that a category created
 * a moment ago elsewhere is never refused.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, createStreamStateCache, handleCommand, type CommandContext, type EventStore } from '@bdbazar/shared-kernel';
import type { CommandResult } from '@bdbazar/shared-kernel';
import { CATEGORY_TREE_STREAM, evolveCategoryTree, initialCategoryTreeState, type CategoryEvent, type CategoryTreeState } from './categoryTree';
import { categoryProblem, categoryTreeDecider, type CategoryCommand } from './categoryTreeDecider';

/** What a product listing asks of the tree. */
export interface CategoryCatalogue {
  /** Why a product cannot be put in this category (it does not exist, it is retired), in words a seller can act on; null when it can. */
  problemWith(categoryId: string): Promise<string | null>;
}

/** How old a read of the tree may be for accepting a listing. */
const ACCEPT_WITHIN_MS = 1_000;

export function createCategoryService(deps: { store: EventStore; clock?: () => Date; newId?: () => string; acceptWithinMs?: number }) {
  const { store } = deps;
  const acceptWithinMs = deps.acceptWithinMs ?? ACCEPT_WITHIN_MS;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const now = () => clock().toISOString();
  const tree = createStreamStateCache<CategoryEvent, CategoryTreeState>(store, { initialState: initialCategoryTreeState, evolve: evolveCategoryTree });
  /** When the last read of the tree began (performance.now()): what it found is at least that new. */
  let readSince = -Infinity;
  const readTree = async (): Promise<CategoryTreeState> => {
    const began = performance.now();
    const { state } = await tree.load(CATEGORY_TREE_STREAM);
    readSince = Math.max(readSince, began);
    return state;
  };

  const execute = async (categoryId: string, command: CategoryCommand, context: CommandContext): Promise<CommandResult> => {
    const result = await handleCommand({ eventStore: store, decider: categoryTreeDecider, streamId: CATEGORY_TREE_STREAM, command, context, retries: 3, stateCache: tree });
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no category ${categoryId}.`, { categoryId });
    return { id: categoryId, revision: result.nextExpectedRevision, position: result.position };
  };

  return {
    async problemWith(categoryId: string): Promise<string | null> {
      const kept = performance.now() - readSince <= acceptWithinMs ? tree.peek(CATEGORY_TREE_STREAM) : undefined;
      if (kept && categoryProblem(kept.state, categoryId) === null) return null;
      const problem = categoryProblem(await readTree(), categoryId);
      return problem && `${problem} The categories are at GET /v1/categories.`;
    },

    create: (adminId: string, input: { name: string; slug?: string | null; parentId?: string | null }, context: CommandContext) => {
      const categoryId = newId();
      return execute(categoryId, { type: 'CreateCategory', data: { categoryId, name: input.name, slug: input.slug ?? null, parentId: input.parentId ?? null, adminId, now: now() } }, context);
    },

    rename: (categoryId: string, adminId: string, input: { name: string; slug?: string | null }, context: CommandContext) =>
      execute(categoryId, { type: 'RenameCategory', data: { categoryId, name: input.name, slug: input.slug ?? null, adminId, now: now() } }, context),

    move: (categoryId: string, adminId: string, parentId: string | null, context: CommandContext) =>
      execute(categoryId, { type: 'MoveCategory', data: { categoryId, parentId, adminId, now: now() } }, context),

    retire: (categoryId: string, adminId: string, context: CommandContext) => execute(categoryId, { type: 'RetireCategory', data: { categoryId, adminId, now: now() } }, context),
  };
}

export type CategoryService = ReturnType<typeof createCategoryService>;
