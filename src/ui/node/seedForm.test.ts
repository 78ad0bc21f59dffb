import { describe, expect, it } from 'vitest'
import type { SeedSettingsWire } from '../../shared/protocol/methods/seed.ts'
import { isPersistMoment } from './persistMoment.ts'
import { formatBytes, formOf, MIB, settingsOf } from './seedForm.ts'

const settings: SeedSettingsWire = {
  storageBudget: { kind: 'bytes', bytes: 40 * MIB },
  uploadBytesPerSec: 2_000_000,
  downloadBytesPerSec: null,
  seedWhatIWatch: true,
  defaultPricePerSlice: '1000',
  privacyMode: false,
}

describe('seed settings form', () => {
  it('round-trips the settings through display units exactly', () => {
    const form = formOf(settings)
    expect(form).toMatchObject({ budgetKind: 'bytes', budgetMiB: 40, uploadMBps: 2 })
    expect(settingsOf(form)).toEqual(settings)
    const share: SeedSettingsWire = {
      ...settings,
      storageBudget: { kind: 'share', share: 0.25 },
      downloadBytesPerSec: 1_500_000,
      privacyMode: true,
    }
    expect(settingsOf(formOf(share))).toEqual(share)
  })

  it('rounds to whole bytes and trims the price', () => {
    const form = { ...formOf(settings), uploadMBps: 2.0000004, defaultPrice: ' 7 ' }
    expect(settingsOf(form)).toMatchObject({
      uploadBytesPerSec: 2_000_000,
      defaultPricePerSlice: '7',
    })
  })

  it('formats sizes people read', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(512 * 1024)).toBe('512 KiB')
    expect(formatBytes(40 * MIB)).toBe('40.0 MiB')
    expect(formatBytes(3 * 1024 * MIB)).toBe('3.00 GiB')
  })

  it('asks for persistence after a publish is done or a key is bought, not before', () => {
    const publish = (stage: 'store' | 'done') =>
      ({ kind: 'feed.publish', jobId: 'j', stage, done: 1, total: 1 }) as const
    expect(isPersistMoment(publish('done'))).toBe(true)
    expect(isPersistMoment(publish('store'))).toBe(false)
    const key = (change: 'received' | 'key' | 'requested' | 'gone') =>
      ({ kind: 'keys.update', tokenId: '1', cardId: '0x', change }) as const
    expect(isPersistMoment(key('received'))).toBe(true)
    expect(isPersistMoment(key('key'))).toBe(true)
    expect(isPersistMoment(key('requested'))).toBe(false)
    expect(isPersistMoment({ kind: 'log', level: 'info', message: '' })).toBe(false)
  })
})
