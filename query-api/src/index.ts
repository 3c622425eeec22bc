export { queryRoutes, createQueryApp, type QueryDependencies } from './app';
export { shopQueryRoutes } from './shops/shops.route';
