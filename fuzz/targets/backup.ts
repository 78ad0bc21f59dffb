/** Backup files (src/node/crypto/backup.ts): text a person picks from disk to restore from. */
import fc from 'fast-check'
import { BACKUP_FORMAT, parseBackup } from '../../src/node/crypto/backup.ts'
import { BackupFormatError } from '../../src/shared/errors/crypto.ts'
import { type FuzzTarget, textForm } from '../harness.ts'
import { fuzzText, pool } from '../mutate.ts'

const b64 = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('base64'))
const hex40 = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}`)
/** Any JSON value, to put where a field should be. */
const anyJson = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, 2 ** 53, '', 'scrypt', [], {}),
  fc.string({ maxLength: 8 }),
  fc.integer(),
)

/** Backup files as written (ciphertext random: parsing does not decrypt), some fields replaced. */
export const backupTextArb = fc
  .record({
    file: fc.record({
      format: fc.constant(BACKUP_FORMAT),
      v: fc.constant(1),
      address: hex40,
      kdf: fc.record({
        name: fc.constant('scrypt'),
        N: fc.constantFrom(2 ** 10, 2 ** 14, 2 ** 17, 2 ** 20),
        r: fc.integer({ min: 1, max: 32 }),
        p: fc.integer({ min: 1, max: 16 }),
        dkLen: fc.constant(32),
        salt: b64(16, 16),
      }),
      cipher: fc.record({ name: fc.constant('AES-256-GCM'), iv: b64(12, 12) }),
      ct: fc.constantFrom(32, 36, 40, 44, 48).chain((n) => b64(n, n)),
    }),
    replace: fc.option(
      fc.tuple(
        fc.constantFrom(
          'format',
          'v',
          'address',
          'kdf',
          'cipher',
          'ct',
          'kdf.N',
          'kdf.r',
          'kdf.p',
          'kdf.salt',
          'cipher.iv',
        ),
        anyJson,
      ),
      { nil: undefined },
    ),
  })
  .map(({ file, replace }) => {
    const f = structuredClone(file) as Record<string, unknown>
    if (replace) {
      const [path, value] = replace
      const [a, b] = path.split('.') as [string, string | undefined]
      if (b === undefined) f[a] = value
      else (f[a] as Record<string, unknown>)[b] = value
    }
    return `${JSON.stringify(f, null, 2)}\n`
  })

export const backupTarget: FuzzTarget<string> = {
  name: 'backup',
  input: fuzzText(pool(backupTextArb, 300), 600),
  parse: (text) => {
    const { kdf } = parseBackup(text)
    // What parsing accepts, decryptBackup must be able to run: scrypt's own maxmem (2^31).
    if (128 * kdf.N * kdf.r > 2 ** 31) throw new Error(`accepted scrypt N=${kdf.N} r=${kdf.r}`)
  },
  errors: [BackupFormatError],
  ...textForm,
}
