import { describe, expect, it } from 'vitest'
import type { SliceStore } from '../store/types.ts'
import { serialStore } from './serialStore.ts'

/** A store whose calls log when they start and end, and end when the test says. */
function gatedStore() {
  const log: string[] = []
  const open = new Map<string, () => void>()
  const call = (name: string) => {
    log.push(`start ${name}`)
    return new Promise<void>((r) =>
      open.set(name, () => {
        log.push(`end ${name}`)
        r()
      }),
    )
  }
  const store = {
    getSlice: async (id: string, i: number) => {
      await call(`read ${id}${i}`)
      return new Uint8Array(0)
    },
    putSlice: (id: string, i: number) => call(`write ${id}${i}`),
  } as unknown as SliceStore
  const end = async (name: string) => {
    open.get(name)?.()
    for (let k = 0; k < 5; k++) await Promise.resolve()
  }
  return { store, log, end, tick: () => new Promise((r) => setTimeout(r, 0)) }
}

describe('serialStore', () => {
  it('reads of an item overlap; a write waits for them, and later reads wait for it', async () => {
    const g = gatedStore()
    const s = serialStore(g.store)
    const reads = [s.getSlice('a', 0), s.getSlice('a', 1)]
    const write = s.putSlice('a', 2, new Uint8Array(0))
    const after = s.getSlice('a', 3)
    const other = s.getSlice('b', 0)
    await g.tick()
    expect(g.log).toEqual(['start read a0', 'start read a1', 'start read b0'])
    await g.end('read a1')
    await g.end('read a0')
    await g.tick()
    expect(g.log.at(-1)).toBe('start write a2')
    await g.end('write a2')
    await g.tick()
    expect(g.log.at(-1)).toBe('start read a3')
    await g.end('read a3')
    await g.end('read b0')
    await Promise.all([...reads, write, after, other])
  })

  it('a failed write does not stop the turns after it', async () => {
    const base = {
      putSlice: async () => {
        throw new Error('disk full')
      },
      getSlice: async () => new Uint8Array([7]),
    } as unknown as SliceStore
    const s = serialStore(base)
    await expect(s.putSlice('a', 0, new Uint8Array(0))).rejects.toThrow('disk full')
    await expect(s.getSlice('a', 0)).resolves.toEqual(new Uint8Array([7]))
  })
})
