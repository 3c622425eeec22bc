export { openShopModule, type ShopModule, type ShopModuleOptions } from './shopModule';
export { shopRoutes, createShopApp, SHOP_SCHEMA } from './app';
