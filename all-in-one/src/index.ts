export { startCluster, type RunningCluster } from './cluster';
export { MARKETPLACE_CONSUMERS, startMarketplace, startMarketplaceBackground, type MarketplaceBackground, type RunningMarketplace } from './marketplace';
