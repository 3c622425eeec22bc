export { openProductModule, PRODUCT_SCHEMA, type ProductModule, type ProductModuleOptions } from './productModule';
export { productRoutes, createProductApp } from './app';
export type { StockLine, StockLevel, ProductEvent } from './product';
