/**
 * The category tree's use cases: an admin creates, renames, moves and retires categories; every
 * product listing checks its category here. The tree is one stream, read through a cache that
 * only reads what was appended since its last look.
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

export function createCategoryService(deps: { store: EventStore; clock?: () => Date; newId?: () => string }) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const now = () => clock().toISOString();
  const tree = createStreamStateCache<CategoryEvent, CategoryTreeState>(store, { initialState: initialCategoryTreeState, evolve: evolveCategoryTree });

  const execute = async (categoryId: string, command: CategoryCommand, context: CommandContext): Promise<CommandResult> => {
    const result = await handleCommand({ eventStore: store, decider: categoryTreeDecider, streamId: CATEGORY_TREE_STREAM, command, context, retries: 3, stateCache: tree });
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no category ${categoryId}.`, { categoryId });
    return { id: categoryId, revision: result.nextExpectedRevision, position: result.position };
  };

  return {
    async problemWith(categoryId: string): Promise<string | null> {
      const problem = categoryProblem((await tree.load(CATEGORY_TREE_STREAM)).state, categoryId);
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
