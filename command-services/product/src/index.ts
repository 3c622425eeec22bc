export { openProductModule, PRODUCT_SCHEMA, type ProductModule, type ProductModuleOptions } from './productModule';
export { productRoutes, createProductApp } from './app';
export type { StockLine, StockLevel, ProductEvent } from './product';
export {
  startOrderStockHandler,
  ORDER_STOCK_CONSUMER,
  ORDER_STOCK_EVENT_TYPES,
  type OrderStockHandlerOptions,
  type OrderStockProducts,
} from './orderStock/orderStock';
export type { ProductService, ListingOutcome } from './productService';
export { IMPORT_BODY_LIMITS, MAX_PRODUCTS_PER_IMPORT } from './productService';
export { productDecider } from './productDecider';
