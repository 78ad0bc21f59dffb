/**
 * The seeding settings as a form (DESIGN §4.7), in the units people think in — MiB for
 * storage, MB/s for rates, wei for prices — and back to the bytes the node speaks. The node
 * checks every value; its error names the field.
 */
import type { SeedSettingsWire } from '../../shared/protocol/methods/seed.ts'

export const MIB = 1024 * 1024
/** Rates are shown in MB/s (10^6): network speeds are decimal. */
export const MB = 1_000_000

/** The settings form, in display units. */
export type SeedForm = {
  budgetKind: 'bytes' | 'share'
  budgetMiB: number
  /** Percent of the origin's quota. */
  budgetPercent: number
  uploadCapped: boolean
  uploadMBps: number
  downloadCapped: boolean
  downloadMBps: number
  seedWhatIWatch: boolean
  /** Decimal wei. */
  defaultPrice: string
  /** Privacy mode (relay only). */
  privacyMode: boolean
}

/** The form for the node's settings; the fields of the kind not chosen get usual values. */
export function formOf(s: SeedSettingsWire): SeedForm {
  const b = s.storageBudget
  return {
    budgetKind: b.kind,
    budgetMiB: b.kind === 'bytes' ? Math.round(b.bytes / MIB) : 1024,
    budgetPercent: b.kind === 'share' ? Math.round(b.share * 1000) / 10 : 25,
    uploadCapped: s.uploadBytesPerSec !== null,
    uploadMBps: (s.uploadBytesPerSec ?? MB) / MB,
    downloadCapped: s.downloadBytesPerSec !== null,
    downloadMBps: (s.downloadBytesPerSec ?? 4 * MB) / MB,
    seedWhatIWatch: s.seedWhatIWatch,
    defaultPrice: s.defaultPricePerSlice,
    privacyMode: s.privacyMode,
  }
}

/** The settings a form says, in bytes (rounded: the node wants integers). */
export function settingsOf(f: SeedForm): SeedSettingsWire {
  return {
    storageBudget:
      f.budgetKind === 'bytes'
        ? { kind: 'bytes', bytes: Math.round(f.budgetMiB * MIB) }
        : { kind: 'share', share: f.budgetPercent / 100 },
    uploadBytesPerSec: f.uploadCapped ? Math.round(f.uploadMBps * MB) : null,
    downloadBytesPerSec: f.downloadCapped ? Math.round(f.downloadMBps * MB) : null,
    seedWhatIWatch: f.seedWhatIWatch,
    defaultPricePerSlice: f.defaultPrice.trim(),
    privacyMode: f.privacyMode,
  }
}

/** "12.3 MiB", "1.2 GiB": what people read. */
export function formatBytes(n: number | null): string {
  if (n === null) return '—'
  if (n < MIB) return `${(n / 1024).toFixed(0)} KiB`
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MiB`
  return `${(n / (1024 * MIB)).toFixed(2)} GiB`
}
