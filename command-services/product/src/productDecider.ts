/** The product's decider: the commands of every use case, decided on the folded state. */
import type { Decider } from '@bdbazar/shared-kernel';
import { evolveProduct, initialProductState, type ProductEvent, type ProductState } from './product';
import { changeProductDetails, type ChangeProductDetails } from './changing/changeProductDetails';
import { listProduct, type ListProduct } from './listing/listProduct';
import { publishProduct, type PublishingCommand } from './publishing/publishProduct';
import { adjustStock, type StockCommand } from './stock/adjustStock';
import { reserveStock, type ReservationCommand } from './stock/reserveStock';

export type { ChangeProductDetails, ListProduct, PublishingCommand, ReservationCommand, StockCommand };

export type ProductCommand = ListProduct | ChangeProductDetails | PublishingCommand | StockCommand | ReservationCommand;

export function decideProduct(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.type) {
    case 'ListProduct':
      return listProduct(command, state);
    case 'ChangeProductDetails':
      return changeProductDetails(command, state);
    case 'PublishProduct':
    case 'UnpublishProduct':
    case 'ArchiveProduct':
    case 'RemoveProduct':
      return publishProduct(command, state);
    case 'SetStock':
    case 'AdjustStock':
      return adjustStock(command, state);
    case 'ReserveStock':
    case 'ReleaseStockReservation':
    case 'CommitStockReservation':
      return reserveStock(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const productDecider: Decider<ProductCommand, ProductEvent, ProductState> = {
  initialState: initialProductState,
  evolve: evolveProduct,
  decide: decideProduct,
};
