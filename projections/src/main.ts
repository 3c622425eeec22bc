/** `npm run start:projections`: the projector workers and the outbox relay as a service of their own. */
import { createLogger, loadConfig, requireServerStores, runMain } from '@bdbazar/shared-kernel';
import { startConfiguredProjections } from './configuredProjections';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'projections');
  return startConfiguredProjections(config, createLogger({ name: 'projections', level: config.LOG_LEVEL }));
});
