export { openOrderModule, ORDER_SCHEMA, ORDER_PERSONAL_DATA, type OrderModule, type OrderModuleOptions } from './orderModule';
export { orderRoutes, createOrderApp } from './app';
export { checkoutIdFor, orderIdFor, type OrderService } from './orderService';
export type { OrderEvent, OrderStatus, PaymentMethod } from './order';
export { COPIES_CONSUMER } from './copies/copiesConsumer';
