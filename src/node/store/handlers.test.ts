import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { accessService } from '../access/service.ts'
import { createContentHandlers } from '../content/handlers.ts'
import { createIdentityHandlers } from '../crypto/handlers.ts'
import { IdentityService } from '../crypto/identityService.ts'
import type { RenderPhrase } from '../crypto/phraseImage.ts'
import { createStoreHandlers } from './handlers.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { createSliceStore } from './sliceStore.ts'

const ctx = { signal: new AbortController().signal }
const FAST = { N: 1024, r: 8, p: 1 }

describe('identity, store and content RPC handlers', () => {
  it('a skipped phrase check is remembered until the phrase is checked or a backup file saved', async () => {
    const drawn: string[][] = []
    const render: RenderPhrase = async (words) => {
      drawn.push([...words])
      return { image: {} as ImageBitmap, words: words.length, width: 1, height: 1 }
    }
    const service = (name: string) =>
      createIdentityHandlers(new IdentityService({ vaultName: name, scrypt: FAST }), render)
    const h = service('skip1')
    await h['identity.create']({}, ctx)
    const words = drawn[0]!
    expect(await h['identity.confirm']({ later: true }, ctx)).toMatchObject({ backedUp: false })
    // A reload (the next session) still knows: the reminder comes back.
    const reloaded = service('skip1')
    expect(await reloaded['identity.state'](undefined, ctx)).toMatchObject({
      state: 'ready',
      backedUp: false,
      words: 12,
    })
    await expect(
      reloaded['identity.checkPhrase']({ words: [{ position: 4, word: 'zzz' }] }, ctx),
    ).rejects.toMatchObject({
      name: 'MnemonicError',
      shortMessage: expect.stringContaining('Word 4'),
    })
    expect(await reloaded['identity.state'](undefined, ctx)).toMatchObject({ backedUp: false })
    const checked = await reloaded['identity.checkPhrase'](
      {
        words: [
          { position: 4, word: words[3]! },
          { position: 11, word: ` ${words[10]!.toUpperCase()} ` },
        ],
      },
      ctx,
    )
    expect(checked.backedUp).toBe(true)
    expect(await service('skip1')['identity.state'](undefined, ctx)).toMatchObject({
      backedUp: true,
    })

    // Saving a backup file counts too.
    const h2 = service('skip2')
    await h2['identity.create']({}, ctx)
    await h2['identity.confirm']({ later: true }, ctx)
    await h2['identity.exportBackup']({ passphrase: 'a long passphrase' }, ctx)
    expect(await service('skip2')['identity.state'](undefined, ctx)).toMatchObject({
      backedUp: true,
    })
  })

  it('create → confirm → export → import on a new profile gives the same identity', async () => {
    // Node has no OffscreenCanvas: this renderer keeps what it was asked to draw.
    const drawn: string[][] = []
    const render: RenderPhrase = async (words, scale) => {
      drawn.push([...words])
      return {
        image: { scale } as unknown as ImageBitmap,
        words: words.length,
        width: 1,
        height: 1,
      }
    }
    const h = createIdentityHandlers(new IdentityService({ vaultName: 'h1', scrypt: FAST }), render)
    expect(await h['identity.state'](undefined, ctx)).toEqual({ state: 'none' })
    const created = await h['identity.create']({ scale: 2 }, ctx)
    const { address } = created
    const words = drawn[0]!
    expect(words).toHaveLength(12)
    const mnemonic = words.join(' ')
    // The words reach the page only inside the drawn image, never as text. The reply's string
    // values are searched word by word, not its JSON: a word can also be one of its keys, such
    // as "address" or "image" (a random phrase starting with "address" failed it once).
    const texts: string[] = []
    JSON.stringify(created, (_, v) => {
      if (typeof v === 'string') texts.push(v)
      return v
    })
    expect(texts.filter((t) => words.some((w) => t.split(/[^a-z]+/).includes(w)))).toEqual([])
    expect(created.phrase).toMatchObject({ words: 12, image: { scale: 2 } })
    await expect(
      h['identity.confirm']({ words: [{ position: 2, word: 'zzz' }] }, ctx),
    ).rejects.toMatchObject({ name: 'MnemonicError' })
    const info = await h['identity.confirm'](
      {
        words: [
          { position: 3, word: words[2]! },
          { position: 9, word: words[8]! },
        ],
      },
      ctx,
    )
    expect(info.address).toBe(address)
    expect(info).toMatchObject({ backedUp: true, words: 12 })
    expect(await h['identity.state'](undefined, ctx)).toMatchObject({ state: 'ready', address })
    const shown = await h['identity.showPhrase']({}, ctx)
    expect(drawn[1]).toEqual(words)
    expect(JSON.stringify(shown)).not.toContain(words[1])
    await expect(h['identity.restore']({ mnemonic }, ctx)).rejects.toMatchObject({
      name: 'IdentityExistsError',
    })
    const backup = await h['identity.exportBackup']({ passphrase: 'pw' }, ctx)
    // A reload: a new service on the same vault loads the identity.
    const reloaded = createIdentityHandlers(new IdentityService({ vaultName: 'h1' }))
    expect(await reloaded['identity.state'](undefined, ctx)).toMatchObject({
      state: 'ready',
      peerId: info.peerId,
    })
    const other = createIdentityHandlers(new IdentityService({ vaultName: 'h2' }))
    await expect(
      other['identity.importBackup']({ text: backup.text, passphrase: 'nope' }, ctx),
    ).rejects.toMatchObject({ name: 'WrongPassphraseError' })
    await expect(
      other['identity.importBackup']({ text: '{"format":1}', passphrase: 'pw' }, ctx),
    ).rejects.toMatchObject({ name: 'BackupFormatError' })
    expect(await other['identity.state'](undefined, ctx)).toEqual({ state: 'none' })
    expect(
      await other['identity.importBackup']({ text: backup.text, passphrase: 'pw' }, ctx),
    ).toEqual(info)
    await expect(
      other['identity.restore']({ mnemonic: `${mnemonic} extra` }, ctx),
    ).rejects.toMatchObject({ name: 'MnemonicError' })
  })

  it('publishes, lists, reads, estimates and removes', async () => {
    const identity = new IdentityService({ vaultName: 'h3' })
    const files = new MemoryBackend()
    const store = createSliceStore({ files, meta: await openMeta('h3-store') })
    const estimate = async () => ({ usage: 0, quota: 2 ** 32 })
    const access = accessService({ dbName: 'h3-access' })({
      identity,
      store: async () => store,
      account: { context: async () => null },
    })
    const h = {
      ...createStoreHandlers({
        store: async () => store,
        estimate,
        persist: async () => ({ persisted: true }),
        persisted: async () => false,
      }),
      ...createContentHandlers({ store: async () => store, estimate, access }),
    }
    const file = new Blob([new Uint8Array(300_000).map((_, i) => i & 0xff)])
    await expect(h['store.publishFile']({ file }, ctx)).rejects.toMatchObject({
      name: 'NoIdentityError',
    })
    await identity.restore(`${'abandon '.repeat(11)}about`)
    const r = await h['store.publishFile']({ file, name: 'a.bin' }, ctx)
    expect(r).toMatchObject({ size: 300_000, count: 2, sliceSize: 262144 })
    expect(r.contentRoot).toMatch(/^[0-9a-f]{64}$/)
    expect(await h['store.items'](undefined, ctx)).toEqual([
      {
        id: r.id,
        name: 'a.bin',
        mime: undefined,
        size: 300_000,
        count: 2,
        present: 2,
        state: 'complete',
        contentRoot: r.contentRoot,
      },
    ])
    const bytes = await h['store.read']({ id: r.id, start: 262_100, end: 262_200 }, ctx)
    expect([...bytes]).toEqual(Array.from({ length: 100 }, (_, i) => (262_100 + i) & 0xff))
    expect(await h['store.estimate'](undefined, ctx)).toEqual({
      usage: 0,
      quota: 2 ** 32,
      storeBytes: 300_032,
      persisted: false,
    })
    await h['store.remove']({ id: r.id }, ctx)
    expect(await h['store.items'](undefined, ctx)).toEqual([])
    expect(await files.list()).toEqual([])
  })
})
