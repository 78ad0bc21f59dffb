/**
 * Every class of the error family, registered in one call. Each realm that receives errors over
 * `postMessage` calls {@link registerAllErrors} once at start: the node worker (src/node/main.ts),
 * the page (src/ui/main.ts) and the Service Worker (src/sw/sw.ts). Each domain file is imported
 * whole, so a class added to one is registered without another list to keep in step; a new
 * domain file is added here.
 */
import * as access from './access.ts'
import { BaseError } from './base.ts'
import * as card from './card.ts'
import * as chain from './chain.ts'
import * as common from './common.ts'
import * as crypto from './crypto.ts'
import * as net from './net.ts'
import * as pay from './pay.ts'
import * as preview from './preview.ts'
import * as seed from './seed.ts'
import * as site from './site.ts'
import * as store from './store.ts'
import * as swarm from './swarm.ts'
import * as wallet from './wallet.ts'
import { registerErrors } from './wire.ts'

/** Registers every error class in this realm (idempotent). */
export function registerAllErrors(): void {
  registerErrors({
    BaseError,
    ...common,
    ...card,
    ...net,
    ...crypto,
    ...chain,
    ...store,
    ...swarm,
    ...preview,
    ...access,
    ...wallet,
    ...pay,
    ...seed,
    ...site,
  })
}
