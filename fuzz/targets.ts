/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from './harness.ts'
import { availabilityTarget } from './targets/availability.ts'
import { backupTarget } from './targets/backup.ts'
import { cardTarget } from './targets/card.ts'
import { gossipTargets } from './targets/gossip.ts'
import { hcPayTarget } from './targets/hcPay.ts'
import { siteIndexTarget } from './targets/siteIndex.ts'
import { torrentTargets } from './targets/torrent.ts'
import { wireTarget } from './targets/wire.ts'

/** Builds the targets (some sign a pool of valid messages first). */
export async function allTargets(): Promise<FuzzTarget<never>[]> {
  const targets: FuzzTarget<never>[] = [
    cardTarget,
    hcPayTarget,
    availabilityTarget,
    siteIndexTarget,
    ...(await torrentTargets()),
    wireTarget,
    backupTarget,
    ...(await gossipTargets()),
  ] as FuzzTarget<unknown>[] as FuzzTarget<never>[]
  return targets
}
