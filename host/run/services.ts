// The services `lastgasp run` may start beside the unit's HA behaviour (service.ts): each
// factory looks at the board and makes its service or says the board does not ask for it.
// A new service adds one line here.

import type { ServiceFactory } from "./service";
import { switchingFactory } from "../switch/service";

export const SERVICE_FACTORIES: ServiceFactory[] = [
  switchingFactory, // the packet engine over the board's real ports, the punt ring as TAP devices (docs/switching-path.md)
];
