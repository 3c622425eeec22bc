/**
 * Every projector of the marketplace, by name. Each service's read models join this list as the
 * service is built (accounts, catalogue, orders, ...); the worker runs them all and the CLI knows them.
 */
import type { ProjectorDefinition } from '@bdbazar/shared-kernel';
import { accountsProjector } from './accounts/accountsProjector';
import { catalogProjector } from './catalog/catalogProjector';
import { ordersProjector } from './orders/ordersProjector';
import { shopsProjector } from './shops/shopsProjector';

export const projectors: ProjectorDefinition[] = [accountsProjector, shopsProjector, catalogProjector, ordersProjector];
