export { MARKETPLACE_CONSUMERS, startMarketplace, type RunningMarketplace } from './marketplace';
