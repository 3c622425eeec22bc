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
export { MAX_PRODUCTS_PER_IMPORT } from './productService';
export { IMPORT_BODY_LIMITS } from './listing/listProducts.route';
export { productDecider } from './productDecider';
