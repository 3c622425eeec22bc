export { startMarketplace, type RunningMarketplace } from './marketplace';
