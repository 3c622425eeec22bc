export { queryRoutes, createQueryApp, type QueryDependencies } from './app';
export { shopQueryRoutes } from './shops/shops.route';
export { catalogQueryRoutes, type CatalogQueryDependencies } from './catalog/catalog.route';
export { orderQueryRoutes, type OrderQueryDependencies } from './orders/orders.route';
