/**
 * The order service's use cases, independent of HTTP and of the bus: each loads what it needs,
 * puts the clock, the ids and what it looked up into the command, lets the decider decide, and
 * appends. Routes and consumers only translate to these calls.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  UnprocessableError,
  ValidationError,
  WrongExpectedVersionError,
  comparePositions,
  createKeyedSerializer,
  createStreamStateCache,
  handleCommand,
  nameBasedId,
  poisha,
  toEventsToAppend,
  type CommandContext,
  type CommandResult,
  type EventStore,
  type Money,
  type Position,
} from '@bdbazar/shared-kernel';
import { cartItemId, cartStreamId, evolveCart, initialCartState, MAX_CART_ITEMS, MAX_ITEM_QUANTITY, type CartEvent, type CartItem, type CartState } from './cart/cart';
import { cartDecider, type CartCommand, type Offer } from './cart/cartDecider';
import { checkoutStreamId, evolveCheckout, initialCheckoutState, type CheckoutEvent, type CheckoutOrder, type CheckoutState } from './checkout/checkout';
import { shippingFee } from './checkout/shippingFee';
import type { AddressBookCopy } from './copies/addressBookCopy';
import type { PaymentDeadlines } from './deadlines/paymentDeadlines';
import { variantKey, type CatalogCopy, type OrderableVariant, type SellableVariant } from './copies/catalogCopy';
import { evolveOrder, initialOrderState, orderStreamId, PAYMENT_METHODS, type OrderActor, type OrderEvent, type OrderLine, type OrderState, type PaymentMethod, type StockRefusal } from './order';
import { orderDecider, type OrderCommand } from './orderDecider';

export interface CheckoutInput {
  addressId: string;
  paymentMethod: string;
  /** Explicit lines; absent: the whole cart. */
  items?: Array<{ productId: string; sku: string; quantity: number }>;
  note?: string | null;
}

export interface CheckoutAnswer {
  checkoutId: string;
  /** True when this key's checkout already existed and is answered again. */
  replayed: boolean;
  placed: CheckoutEvent['data'];
  /** The position after which every order of the checkout is in the store (for X-Consistent-After). */
  position: Position;
}

export interface OrderServiceDependencies {
  store: EventStore;
  catalog: CatalogCopy;
  addressBooks: AddressBookCopy;
  deadlines: PaymentDeadlines;
  /** How long an order placed now has to be paid. */
  paymentTimeoutSeconds: number;
  clock?: () => Date;
}

const CHECKOUT_NAMESPACE = '8f7b3c1e-5d2a-4f6b-9c8e-1a2b3c4d5e6f';
const ORDER_NAMESPACE = 'c3e1a9b2-7f4d-4e8a-b6c5-2d1f0e9a8b7c';
const EVENT_NAMESPACE = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const MAX_NOTE_LENGTH = 500;
const MAX_KEY_LENGTH = 200;

/** The checkout an Idempotency-Key of a buyer makes: the same key, the same checkout. */
export const checkoutIdFor = (buyerId: string, idempotencyKey: string): string => nameBasedId(CHECKOUT_NAMESPACE, `${buyerId}:${idempotencyKey}`);
/** Each shop's order in a checkout. */
export const orderIdFor = (checkoutId: string, shopId: string): string => nameBasedId(ORDER_NAMESPACE, `${checkoutId}:${shopId}`);

export function createOrderService(deps: OrderServiceDependencies) {
  const { store, catalog, addressBooks, deadlines } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const serialized = createKeyedSerializer();
  const carts = createStreamStateCache<CartEvent, CartState>(store, { initialState: initialCartState, evolve: evolveCart });
  const orders = createStreamStateCache<OrderEvent, OrderState>(store, { initialState: initialOrderState, evolve: evolveOrder });
  // Checkouts this process wrote whole: the completion check on their message has nothing to do.
  const completed = new LRUCache<string, true>({ max: 100_000 });
  const ENDING: ReadonlySet<OrderEvent['type']> = new Set(['OrderConfirmed', 'OrderRejected', 'OrderCancelled']);

  const onCart = async (buyerId: string, command: CartCommand, context: CommandContext): Promise<CommandResult> => {
    const streamId = cartStreamId(buyerId);
    const result = await serialized(streamId, () =>
      handleCommand({ eventStore: store, decider: cartDecider, streamId, command, context, retries: 5, stateCache: carts }),
    );
    return answer(buyerId, result.nextExpectedRevision, result.position);
  };

  const onOrder = async (orderId: string, command: OrderCommand, context: CommandContext, expectedRevision?: number): Promise<CommandResult> => {
    const streamId = orderStreamId(orderId);
    const result = await serialized(streamId, () =>
      handleCommand({
        eventStore: store,
        decider: orderDecider,
        streamId,
        command,
        context,
        expectedRevision,
        retries: expectedRevision === undefined ? 5 : 0,
        stateCache: orders,
      }),
    );
    // Confirmed or ended: its payment deadline no longer matters (a row left by a crash expires harmlessly).
    if (result.events.some((e) => ENDING.has(e.type))) await deadlines.clear(orderId);
    return answer(orderId, result.nextExpectedRevision, result.position);
  };

  const offerOf = (variant: SellableVariant): Offer => ({
    productId: variant.productId,
    sku: variant.sku,
    shopId: variant.shopId,
    title: variant.title,
    price: variant.price,
    available: variant.available,
    notOnSale: variant.notOnSale,
  });

  /**
   * Appends a checkout's or an order's one opening event, or finds it already there (a retry, a
   * race, a recovery). Either way the position is the opening event's, not the stream's head: a
   * retry answers the position the first request answered, however far the order has moved since.
   */
  const appendOnce = async (streamId: string, event: CheckoutEvent | OrderEvent, context: CommandContext): Promise<{ position: Position; existed: boolean }> => {
    const id = nameBasedId(EVENT_NAMESPACE, `${streamId}:${event.type}`);
    const [toAppend] = toEventsToAppend([event], context, { newId: () => id, clock });
    try {
      const appended = await store.appendToStream(streamId, [toAppend!], { expectedRevision: 'no_stream' });
      return { position: appended.position, existed: false };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) && !(error instanceof DuplicateEventIdError)) throw error;
      const [opening] = await store.readStream(streamId, { fromRevision: 0, maxCount: 1 });
      if (opening?.id !== id) throw error;
      return { position: opening.position, existed: true };
    }
  };

  const loadCheckout = async (checkoutId: string): Promise<CheckoutState> => {
    const recorded = await store.readStream(checkoutStreamId(checkoutId));
    return recorded.reduce<CheckoutState>((state, e) => evolveCheckout(state, { type: e.type, data: e.data } as unknown as CheckoutEvent), initialCheckoutState());
  };

  /**
   * Writes what a placed checkout implies and is not written yet: each shop's order, and the
   * checked-out items leaving the cart. Safe to run any number of times.
   */
  const completeCheckout = async (placed: CheckoutEvent['data'], context: CommandContext): Promise<Position> => {
    // The deadlines are written beside the orders, not after them: the timer finds an order not
    // written yet (a crash between the two) made by the recovery long before it is due.
    const scheduled = deadlines.schedule(placed.orders.map((o) => ({ orderId: o.orderId, dueAt: placed.paymentDueBy })));
    const [positions] = await Promise.all([
      Promise.all(
        placed.orders.map(async (order) => {
          const event: OrderEvent = {
            type: 'OrderPlaced',
            data: {
              orderId: order.orderId,
              checkoutId: placed.checkoutId,
              buyerId: placed.buyerId,
              shopId: order.shopId,
              sellerId: order.sellerId,
              shopName: order.shopName,
              lines: order.lines,
              itemsTotal: order.itemsTotal,
              shippingFee: order.shippingFee,
              total: order.total,
              paymentMethod: placed.paymentMethod,
              shippingAddress: placed.shippingAddress,
              paymentDueBy: placed.paymentDueBy,
              note: placed.note,
              placedAt: placed.placedAt,
            },
          };
          const streamId = orderStreamId(order.orderId);
          const { position, existed } = await appendOnce(streamId, event, context);
          // The reservation answers come next: they find the order's state here instead of reading it.
          if (!existed) orders.remember(streamId, { state: evolveOrder(initialOrderState(), event), revision: 0, position });
          return position;
        }),
      ),
      scheduled,
    ]);
    if (placed.source === 'cart') {
      await onCart(placed.buyerId, { type: 'CheckOutCart', data: { buyerId: placed.buyerId, checkoutId: placed.checkoutId, itemIds: placed.cartItemIds, now: placed.placedAt } }, context);
    }
    completed.set(placed.checkoutId, true);
    return positions.reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
  };

  const replay = async (checkoutId: string, fingerprint: string, context: CommandContext): Promise<CheckoutAnswer | null> => {
    const state = await loadCheckout(checkoutId);
    if (state.status === 'none') return null;
    if (state.placed.requestFingerprint !== fingerprint) {
      throw new UnprocessableError(
        'This Idempotency-Key was already used for a different checkout (other items, address, payment method or note). Use a new key for a new checkout.',
        { checkoutId },
      );
    }
    const position = await completeCheckout(state.placed, context);
    return { checkoutId, replayed: true, placed: state.placed, position };
  };

  return {
    loadOrder: async (orderId: string) => orders.load(orderStreamId(orderId)),
    loadCart: async (buyerId: string) => carts.load(cartStreamId(buyerId)),

    async addCartItem(buyerId: string, input: { productId: string; sku: string; quantity: number }, context: CommandContext): Promise<CommandResult & { itemId: string }> {
      const variant = await catalog.variant(input.productId, input.sku);
      const result = await onCart(buyerId, { type: 'AddCartItem', data: { buyerId, offer: offerOf(variant), quantity: input.quantity, now: now() } }, context);
      return { ...result, itemId: cartItemId(variant.productId, variant.sku) };
    },

    async changeCartItemQuantity(buyerId: string, itemId: string, quantity: number, context: CommandContext): Promise<CommandResult> {
      const { state } = await carts.load(cartStreamId(buyerId));
      const item = state.items.find((i) => i.itemId === itemId);
      const variant = item ? (await catalog.variants([item])).get(variantKey(item.productId, item.sku)) : undefined;
      return onCart(buyerId, { type: 'ChangeCartItemQuantity', data: { buyerId, itemId, quantity, offer: variant ? offerOf(variant) : null, now: now() } }, context);
    },

    removeCartItem: (buyerId: string, itemId: string, context: CommandContext) => onCart(buyerId, { type: 'RemoveCartItem', data: { buyerId, itemId, now: now() } }, context),

    clearCart: (buyerId: string, context: CommandContext) => onCart(buyerId, { type: 'ClearCart', data: { buyerId, now: now() } }, context),

    /** The cart with what the catalogue says of each item now. */
    async viewCart(buyerId: string): Promise<{ items: CartItem[]; revision: number | 'no_stream'; variants: Map<string, SellableVariant> }> {
      const { state, revision } = await carts.load(cartStreamId(buyerId));
      return { items: state.items, revision, variants: await catalog.variants(state.items) };
    },

    /**
     * One checkout per buyer and Idempotency-Key: the same key answers the first checkout again
     * (the same request) or is refused (another request). Orders are made per shop, with the
     * prices, fees and totals of now; stock is reserved afterwards by the reservation process.
     */
    async checkout(buyerId: string, input: CheckoutInput, idempotencyKey: string, context: CommandContext): Promise<CheckoutAnswer> {
      const key = idempotencyKey.trim();
      if (key === '' || key.length > MAX_KEY_LENGTH) {
        throw new ValidationError(`The Idempotency-Key header must be 1 to ${MAX_KEY_LENGTH} characters; send a new random one (a UUID) for each checkout.`, { field: 'Idempotency-Key' });
      }
      const paymentMethod = checkedPaymentMethod(input.paymentMethod);
      const note = checkedNote(input.note);
      const fingerprint = fingerprintOf({ addressId: input.addressId, paymentMethod, items: input.items ?? null, note });
      const checkoutId = checkoutIdFor(buyerId, key);
      // A new key is the common case: it is only looked up when this request cannot be placed
      // (the cart it emptied, a product gone since) or its checkout turns out to exist already.
      try {
        return await placeNew(buyerId, input, { checkoutId, paymentMethod, note, fingerprint }, context);
      } catch (error) {
        const earlier = await replay(checkoutId, fingerprint, context);
        if (earlier) return earlier;
        throw error;
      }
    },

    /**
     * The recovery step, on each checkout's message: makes sure everything a placed checkout
     * implies is written (after a crash between the appends). A checkout this process completed
     * itself needs nothing.
     */
    async ensureCheckoutComplete(checkoutId: string, context: CommandContext): Promise<void> {
      if (completed.has(checkoutId)) return;
      const state = await loadCheckout(checkoutId);
      if (state.status === 'placed') await completeCheckout(state.placed, context);
    },

    recordStockReserved: (orderId: string, productId: string, lines: Array<{ sku: string; quantity: number }>, context: CommandContext) =>
      onOrder(orderId, { type: 'RecordStockReserved', data: { orderId, productId, lines, now: now() } }, context),

    recordStockRefused: (orderId: string, refusal: StockRefusal, context: CommandContext) =>
      onOrder(orderId, { type: 'RecordStockRefused', data: { orderId, refusal, now: now() } }, context),

    /** An order of the checkout was rejected: the others are rejected with it. */
    async rejectCheckout(checkoutId: string, failedOrderId: string, reason: string, context: CommandContext): Promise<void> {
      const state = await loadCheckout(checkoutId);
      if (state.status === 'none') return;
      const others = state.placed.orders.map((o) => o.orderId).filter((id) => id !== failedOrderId);
      await Promise.all(others.map((orderId) => onOrder(orderId, { type: 'RejectWithCheckout', data: { orderId, failedOrderId, reason, now: now() } }, context)));
    },

    expireOrder: (orderId: string, context: CommandContext) => onOrder(orderId, { type: 'ExpireOrder', data: { orderId, now: now() } }, context),

    changeOrderStatus: (
      orderId: string,
      actor: OrderActor,
      change: { status: string; reason?: string | null; note?: string | null },
      context: CommandContext,
      expectedRevision?: number,
    ) =>
      onOrder(
        orderId,
        { type: 'ChangeOrderStatus', data: { orderId, status: change.status, actor, reason: change.reason ?? null, note: change.note ?? null, now: now() } },
        context,
        expectedRevision,
      ),
  };

  /** Places a checkout under a key not used before (or raced for by a request sent twice). */
  async function placeNew(
    buyerId: string,
    input: CheckoutInput,
    request: { checkoutId: string; paymentMethod: PaymentMethod; note: string | null; fingerprint: string },
    context: CommandContext,
  ): Promise<CheckoutAnswer> {
    const { checkoutId, paymentMethod, note, fingerprint } = request;
    const wanted = input.items ? checkedItems(input.items) : await cartLines(buyerId);
    const variants = await catalog.orderable(wanted.lines);
    const problems: string[] = [];
    for (const [index, line] of wanted.lines.entries()) {
      const variant = variants.get(variantKey(line.productId, line.sku));
      const where = input.items ? `items[${index}]` : `Cart item ${line.sku}`;
      if (!variant) problems.push(`${where}: there is no variant ${line.sku.toUpperCase()} of product ${line.productId}.`);
      else if (variant.notOnSale) problems.push(`${where}: ${variant.notOnSale}`);
    }
    if (problems.length > 0) {
      throw new UnprocessableError(`Some items cannot be ordered; take them out and check out again. ${problems.join(' ')}`, { problems });
    }
    const address = await addressBooks.shippingAddress(buyerId, input.addressId);

    const placedAt = now();
    const paymentDueBy = new Date(Date.parse(placedAt) + deps.paymentTimeoutSeconds * 1000).toISOString();
    const byShop = new Map<string, { variant: OrderableVariant; quantity: number }[]>();
    for (const line of wanted.lines) {
      const variant = variants.get(variantKey(line.productId, line.sku))!;
      byShop.set(variant.shopId, [...(byShop.get(variant.shopId) ?? []), { variant, quantity: line.quantity }]);
    }
    const shopOrders: CheckoutOrder[] = [...byShop].map(([shopId, lines]) => {
      const first = lines[0]!.variant;
      const orderLines: OrderLine[] = lines.map(({ variant, quantity }) => ({
        productId: variant.productId,
        sku: variant.sku,
        title: variant.title,
        options: variant.options,
        image: variant.image,
        quantity,
        unitPrice: variant.price,
        lineTotal: poisha(variant.price.amount * quantity),
        weightGrams: variant.weightGrams,
      }));
      const itemsTotal = sum(orderLines.map((l) => l.lineTotal));
      const fee = shippingFee({ from: { division: first.shopDivision, district: first.shopDistrict }, to: address, lines: orderLines });
      return {
        orderId: orderIdFor(checkoutId, shopId),
        shopId,
        shopName: first.shopName,
        sellerId: first.sellerId,
        lines: orderLines,
        itemsTotal,
        shippingFee: fee,
        total: sum([itemsTotal, fee]),
      };
    });
    const placed: CheckoutEvent['data'] = {
      checkoutId,
      buyerId,
      requestFingerprint: fingerprint,
      source: input.items ? 'lines' : 'cart',
      cartItemIds: input.items ? [] : wanted.itemIds,
      paymentMethod,
      shippingAddress: address,
      note,
      orders: shopOrders,
      itemsTotal: sum(shopOrders.map((o) => o.itemsTotal)),
      shippingFee: sum(shopOrders.map((o) => o.shippingFee)),
      total: sum(shopOrders.map((o) => o.total)),
      paymentDueBy,
      placedAt,
    };
    const { existed } = await appendOnce(checkoutStreamId(checkoutId), { type: 'CheckoutPlaced', data: placed }, context);
    if (existed) {
      // Another request with this key got in first (a double click): answer as it did.
      const raced = await replay(checkoutId, fingerprint, context);
      if (!raced) throw new ConcurrencyError(`Checkout ${checkoutId} is being written by another request; send it again.`, { checkoutId });
      return raced;
    }
    const position = await completeCheckout(placed, context);
    return { checkoutId, replayed: false, placed, position };
  }

  async function cartLines(buyerId: string): Promise<{ lines: Array<{ productId: string; sku: string; quantity: number }>; itemIds: string[] }> {
    const { state } = await carts.load(cartStreamId(buyerId));
    if (state.items.length === 0) {
      throw new UnprocessableError('Your cart is empty: add items (POST /v1/cart/items) or send the lines to order in `items`.', { field: 'items' });
    }
    return { lines: state.items.map(({ productId, sku, quantity }) => ({ productId, sku, quantity })), itemIds: state.items.map((i) => i.itemId) };
  }
}

export type OrderService = ReturnType<typeof createOrderService>;

/** A command's answer; revision -1 and no position when the stream is still empty (clearing a cart never used). */
function answer(id: string, revision: number | 'no_stream', position: Position | null): CommandResult {
  return { id, revision: revision === 'no_stream' ? -1 : revision, position: position ?? '' };
}

function checkedPaymentMethod(method: string): PaymentMethod {
  if (!(PAYMENT_METHODS as readonly string[]).includes(method)) {
    throw new ValidationError(`paymentMethod must be one of ${PAYMENT_METHODS.join(', ')}; got '${method}'.`, { field: 'paymentMethod' });
  }
  return method as PaymentMethod;
}

function checkedNote(note: string | null | undefined): string | null {
  const text = note?.trim() ?? '';
  if (text.length > MAX_NOTE_LENGTH) throw new ValidationError(`note may be at most ${MAX_NOTE_LENGTH} characters; it has ${text.length}.`, { field: 'note' });
  return text === '' ? null : text;
}

function checkedItems(items: NonNullable<CheckoutInput['items']>): { lines: Array<{ productId: string; sku: string; quantity: number }>; itemIds: string[] } {
  if (items.length === 0) throw new ValidationError('items, when given, needs at least one line; leave it out to check out your cart.', { field: 'items' });
  if (items.length > MAX_CART_ITEMS) throw new ValidationError(`A checkout may have at most ${MAX_CART_ITEMS} lines; it has ${items.length}.`, { field: 'items' });
  const merged = new Map<string, { productId: string; sku: string; quantity: number }>();
  items.forEach((item, index) => {
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_ITEM_QUANTITY) {
      throw new ValidationError(`items[${index}].quantity must be a whole number from 1 to ${MAX_ITEM_QUANTITY}; got ${item.quantity}.`, { field: `items[${index}].quantity` });
    }
    const key = variantKey(item.productId, item.sku.trim());
    const before = merged.get(key);
    const quantity = (before?.quantity ?? 0) + item.quantity;
    if (quantity > MAX_ITEM_QUANTITY) throw new ValidationError(`items ask for ${quantity} of ${item.sku}; at most ${MAX_ITEM_QUANTITY} of one variant per order.`, { field: `items[${index}].quantity` });
    merged.set(key, { productId: item.productId, sku: item.sku.trim().toUpperCase(), quantity });
  });
  return { lines: [...merged.values()], itemIds: [] };
}

function fingerprintOf(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url');
}

function sum(amounts: Money[]): Money {
  return poisha(amounts.reduce((total, m) => total + m.amount, 0));
}
