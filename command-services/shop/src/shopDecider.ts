/** The shop's decider: the commands of every use case, decided on the folded state. */
import type { Decider } from '@bdbazar/shared-kernel';
import { evolveShop, initialShopState, type ShopEvent, type ShopState } from './shop';
import { administerShop, type AdminShopCommand } from './administering/administerShop';
import { changeShopDetails, type ChangeShopDetails } from './changing/changeShopDetails';
import { openShop, type OpenShop } from './opening/openShop';

export type ShopCommand = OpenShop | ChangeShopDetails | AdminShopCommand;

export function decideShop(command: ShopCommand, state: ShopState): ShopEvent[] {
  switch (command.type) {
    case 'OpenShop':
      return openShop(command, state);
    case 'ChangeShopDetails':
      return changeShopDetails(command, state);
    case 'ApproveShop':
    case 'SuspendShop':
    case 'ReinstateShop':
      return administerShop(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const shopDecider: Decider<ShopCommand, ShopEvent, ShopState> = {
  initialState: initialShopState,
  evolve: evolveShop,
  decide: decideShop,
};
