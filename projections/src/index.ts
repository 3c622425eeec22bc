export { projectors } from './registry';
export { startProjectionsService, type ProjectionsService, type ProjectionsServiceOptions } from './projectionsService';
export { openProjectionStores, startConfiguredProjections } from './configuredProjections';
