import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { SeedSettingsError } from '../../shared/errors/seed.ts'
import {
  budgetBytes,
  DEFAULT_SEED_SETTINGS,
  GiB,
  MiB,
  openSeedSettings,
  parseItemSettings,
  parseSeedSettings,
  parseSeedSettingsPatch,
} from './settings.ts'

let dbs = 0
const fresh = () => `seed-settings-test-${++dbs}`

describe('seed settings: parsing', () => {
  it('has the documented defaults, which parse', () => {
    expect(parseSeedSettings(DEFAULT_SEED_SETTINGS)).toEqual({
      storageBudget: { kind: 'share', share: 0.25 },
      uploadBytesPerSec: null,
      downloadBytesPerSec: null,
      seedWhatIWatch: true,
      defaultPricePerSlice: 0n,
      privacyMode: false,
    })
  })

  it('refuses unknown keys, wrong types and out-of-range values, naming the field', () => {
    const bad: [unknown, string][] = [
      [{ uploadBytesPerSec: 10 }, 'uploadBytesPerSec'],
      [{ uploadBytesPerSec: 100_000.5 }, 'uploadBytesPerSec'],
      [{ downloadBytesPerSec: 2 * GiB }, 'downloadBytesPerSec'],
      [{ storageBudget: { kind: 'bytes', bytes: MiB } }, 'storageBudget.bytes'],
      [{ storageBudget: { kind: 'share', share: 1.5 } }, 'storageBudget.share'],
      [{ storageBudget: { kind: 'share', share: Number.NaN } }, 'storageBudget.share'],
      [{ storageBudget: { kind: 'share', share: 0.5, bytes: 1 } }, 'storageBudget.bytes'],
      [{ storageBudget: { kind: 'percent' } }, 'storageBudget.kind'],
      [{ seedWhatIWatch: 'yes' }, 'seedWhatIWatch'],
      [{ privacyMode: 1 }, 'privacyMode'],
      [{ privacyMode: 'on' }, 'privacyMode'],
      [{ defaultPricePerSlice: 5 }, 'defaultPricePerSlice'],
      [{ defaultPricePerSlice: -1n }, 'defaultPricePerSlice'],
      [{ defaultPricePerSlice: 2n ** 96n }, 'defaultPricePerSlice'],
      [{ colour: 'blue' }, 'settings.colour'],
      [null, 'settings'],
      [[], 'settings'],
    ]
    for (const [input, field] of bad) {
      let err: unknown
      try {
        parseSeedSettingsPatch(input)
      } catch (e) {
        err = e
      }
      expect(
        err,
        JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBeInstanceOf(SeedSettingsError)
      expect((err as SeedSettingsError).details).toMatch(
        new RegExp(`^${field.replace('.', '\\.')}:`),
      )
    }
    expect(() => parseSeedSettings({ seedWhatIWatch: true })).toThrow(SeedSettingsError)
    expect(() => parseItemSettings({ id: 'has space', pinned: true })).toThrow(SeedSettingsError)
    expect(() => parseItemSettings({ id: 'a', pinned: 1 })).toThrow(SeedSettingsError)
  })

  it('resolves a budget against the quota, never above it', () => {
    expect(budgetBytes({ storageBudget: { kind: 'share', share: 0.25 } }, 8 * GiB)).toBe(2 * GiB)
    expect(budgetBytes({ storageBudget: { kind: 'bytes', bytes: 40 * MiB } }, 8 * GiB)).toBe(
      40 * MiB,
    )
    expect(budgetBytes({ storageBudget: { kind: 'bytes', bytes: 16 * GiB } }, 8 * GiB)).toBe(
      8 * GiB,
    )
  })
})

describe('seed settings: IndexedDB', () => {
  it('starts from the defaults and survives a reopen (a reload)', async () => {
    const dbName = fresh()
    let s = await openSeedSettings({ dbName })
    expect(s.get()).toEqual(DEFAULT_SEED_SETTINGS)
    const seen: (number | null)[] = []
    s.onChange((x) => seen.push(x.uploadBytesPerSec))
    await s.update({
      uploadBytesPerSec: 2 * MiB,
      storageBudget: { kind: 'bytes', bytes: 40 * MiB },
    })
    await s.update({ defaultPricePerSlice: 10n ** 12n, downloadBytesPerSec: 4 * MiB })
    await s.setItem('item-a', { pinned: true })
    await s.setItem('item-b', { pricePerSlice: 5n })
    expect(seen).toEqual([2 * MiB, 2 * MiB])
    s.close()

    s = await openSeedSettings({ dbName })
    expect(s.get()).toEqual({
      storageBudget: { kind: 'bytes', bytes: 40 * MiB },
      uploadBytesPerSec: 2 * MiB,
      downloadBytesPerSec: 4 * MiB,
      seedWhatIWatch: true,
      defaultPricePerSlice: 10n ** 12n,
      privacyMode: false,
    })
    expect(s.item('item-a')).toEqual({
      id: 'item-a',
      pinned: true,
      pricePerSlice: null,
      effectivePricePerSlice: 10n ** 12n,
    })
    expect(s.item('item-b').effectivePricePerSlice).toBe(5n)
    expect(s.item('unknown')).toMatchObject({ pinned: false, effectivePricePerSlice: 10n ** 12n })
    s.close()
  })

  it('refuses a bad update and leaves the stored settings as they were', async () => {
    const dbName = fresh()
    const s = await openSeedSettings({ dbName })
    await expect(s.update({ uploadBytesPerSec: 0 })).rejects.toThrow(SeedSettingsError)
    await expect(s.setItem('x', { pricePerSlice: -3n })).rejects.toThrow(SeedSettingsError)
    expect(s.get()).toEqual(DEFAULT_SEED_SETTINGS)
    expect(s.items()).toEqual([])
    s.close()
  })

  it('keeps only items with a choice of their own, in the order changes were made', async () => {
    const dbName = fresh()
    let s = await openSeedSettings({ dbName })
    const heard: string[] = []
    s.onItemChange((i) => heard.push(`${i.id}:${i.pinned}`))
    await Promise.all([
      s.setItem('a', { pinned: true }),
      s.setItem('a', { pricePerSlice: 7n }),
      s.setItem('b', { pinned: true }),
      s.setItem('b', { pinned: false }),
      s.update({ seedWhatIWatch: false }),
      s.update({ seedWhatIWatch: true }),
    ])
    expect(s.items()).toEqual([
      { id: 'a', pinned: true, pricePerSlice: 7n, effectivePricePerSlice: 7n },
    ])
    await s.forgetItem('a')
    await s.forgetItem('never-set') // nothing to forget: nobody is told
    // Every item change is heard, in order (the swarm's "seed what I watch" follows pins).
    expect(heard).toEqual(['a:true', 'a:true', 'b:true', 'b:false', 'a:false'])
    s.close()
    s = await openSeedSettings({ dbName })
    expect(s.items()).toEqual([])
    expect(s.get().seedWhatIWatch).toBe(true)
    s.close()
  })

  it('falls back to the defaults when the stored record no longer parses', async () => {
    const dbName = fresh()
    const s = await openSeedSettings({ dbName })
    s.close()
    const raw = await openDB(dbName, 1)
    await raw.put('settings', { v: 2, uploadBytesPerSec: 'fast' }, 'global')
    await raw.put('items', { id: 'bad', pinned: 'yes', pricePerSlice: null })
    await raw.put('items', { id: 'ok', pinned: true, pricePerSlice: '12' })
    raw.close()
    const again = await openSeedSettings({ dbName })
    expect(again.get()).toEqual(DEFAULT_SEED_SETTINGS)
    expect(again.items().map((i) => i.id)).toEqual(['ok'])
    expect(again.item('ok').pricePerSlice).toBe(12n)
    again.close()
  })

  it('keeps privacy mode across a reopen, and reads a record from before it existed as off', async () => {
    const dbName = fresh()
    const s = await openSeedSettings({ dbName })
    await s.update({ privacyMode: true, uploadBytesPerSec: 2 * MiB })
    s.close()
    const again = await openSeedSettings({ dbName })
    expect(again.get()).toMatchObject({ privacyMode: true, uploadBytesPerSec: 2 * MiB })
    again.close()
    // A record written by the build before privacy mode: every other setting is kept.
    const raw = await openDB(dbName, 1)
    const { privacyMode: _gone, ...legacy } = await raw.get('settings', 'global')
    await raw.put('settings', legacy, 'global')
    raw.close()
    const old = await openSeedSettings({ dbName })
    expect(old.get()).toMatchObject({ privacyMode: false, uploadBytesPerSec: 2 * MiB })
    old.close()
  })
})
