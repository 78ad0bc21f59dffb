/**
 * RPC handlers of the seed section of the RPC table (src/shared/protocol/methods/seed.ts)
 * over one seed service. Prices cross as decimal wei strings and are bigints inside; every
 * value is checked by settings.ts's parsers, which name the field that is wrong.
 */
import { InvalidInputError } from '../../shared/errors/common.ts'
import { SeedSettingsError } from '../../shared/errors/seed.ts'
import type { SeedItemWire, SeedSettingsWire } from '../../shared/protocol/methods/seed.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { SeedService } from './service.ts'
import { ITEM_ID, type ResolvedItemSettings, type SeedSettings } from './settings.ts'

/** `seed.health` is the availability service's (availabilityService.ts). */
type SeedMethod = Exclude<Extract<keyof RpcMethods, `seed.${string}`>, 'seed.health'>
type Handler<M extends SeedMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type SeedHandlers = { [M in SeedMethod]: Handler<M> }

/** Up to 29 digits: 2^96 − 1 has 29; the settings' parser checks the exact bound. */
const DECIMAL = /^(0|[1-9][0-9]{0,28})$/

/** A decimal wei string from the page, as a bigint; SeedSettingsError naming `field` if not. */
export function weiFromWire(field: string, v: unknown): bigint {
  if (typeof v !== 'string' || !DECIMAL.test(v))
    throw new SeedSettingsError(`The setting ${field} is invalid.`, {
      details: `${field}: expected a decimal wei string, got ${JSON.stringify(v) ?? String(v)}`,
    })
  return BigInt(v)
}

export function settingsToWire(s: SeedSettings): SeedSettingsWire {
  return { ...s, defaultPricePerSlice: s.defaultPricePerSlice.toString() }
}

export function itemToWire(i: ResolvedItemSettings): SeedItemWire {
  return {
    id: i.id,
    pinned: i.pinned,
    pricePerSlice: i.pricePerSlice?.toString() ?? null,
    effectivePricePerSlice: i.effectivePricePerSlice.toString(),
  }
}

/** A settings patch from the page with its price as a bigint; the rest is checked on update. */
function patchFromWire(p: unknown): unknown {
  if (typeof p !== 'object' || p === null || !('defaultPricePerSlice' in p)) return p
  const o = p as Record<string, unknown>
  return { ...o, defaultPricePerSlice: weiFromWire('defaultPricePerSlice', o.defaultPricePerSlice) }
}

/** Item ids from the page: an array of what settings.ts accepts as an item id. */
function idsFromWire(v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((id) => typeof id === 'string' && ITEM_ID.test(id)))
    throw new InvalidInputError('ids: expected an array of item ids.', {
      details: `got ${(JSON.stringify(v) ?? String(v)).slice(0, 200)}`,
    })
  return v
}

/** Handlers over a seed service (tests pass their own). */
export function createSeedHandlers(seed: SeedService): SeedHandlers {
  return {
    'seed.settings': async () => settingsToWire((await seed.settings()).get()),
    'seed.setSettings': async (p) => {
      seed.checkPatch(p)
      return settingsToWire(await (await seed.settings()).update(patchFromWire(p)))
    },
    'seed.setItem': async (p) => {
      const settings = await seed.settings()
      const patch: { pinned?: boolean; pricePerSlice?: bigint | null } = {}
      if (p.pinned !== undefined) patch.pinned = p.pinned
      if (p.pricePerSlice !== undefined)
        patch.pricePerSlice =
          p.pricePerSlice === null ? null : weiFromWire('item.pricePerSlice', p.pricePerSlice)
      return itemToWire(await settings.setItem(p.itemId, patch))
    },
    'seed.usage': () => seed.usage(),
    'seed.evict': async (p) => seed.evict(idsFromWire(p?.ids)),
    'seed.persist': () => seed.persist(),
    'seed.debug': (p) => seed.debug(p),
  }
}
