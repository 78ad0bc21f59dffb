import { describe, expect, it } from 'vitest'
import { readCache } from './readCache.ts'

const slice = (n: number) => new Uint8Array(n)
const later = <T>(v: T) => new Promise<T>((r) => setTimeout(() => r(v), 5))

describe('readCache', () => {
  it('shares one read between concurrent and later requests for a slice', async () => {
    const cache = readCache<Uint8Array>({ maxBytes: 1 << 20, idleMs: 1_000 })
    let reads = 0
    const read = () => {
      reads++
      return later(slice(100))
    }
    const [a, b] = await Promise.all([cache.get(3, read), cache.get(3, read)])
    expect(a).toBe(b)
    expect(await cache.get(3, read)).toBe(a)
    expect(reads).toBe(1)
    expect(cache.bytes).toBe(100)
    cache.clear()
  })

  it('pushes the least recently used slice out beyond maxBytes', async () => {
    const cache = readCache<Uint8Array>({ maxBytes: 250, idleMs: 1_000 })
    const reads: number[] = []
    const read = (i: number) => () => {
      reads.push(i)
      return Promise.resolve(slice(100))
    }
    await cache.get(1, read(1))
    await cache.get(2, read(2))
    await cache.get(1, read(1)) // a hit: 1 is now the most recent
    await cache.get(3, read(3)) // 300 bytes > 250: 2 goes
    expect(cache.bytes).toBe(200)
    await cache.get(1, read(1))
    await cache.get(2, read(2))
    expect(reads).toEqual([1, 2, 3, 2])
    cache.clear()
  })

  it('forgets slices no request asked for within idleMs', async () => {
    const cache = readCache<Uint8Array>({ maxBytes: 1 << 20, idleMs: 20 })
    let reads = 0
    const read = () => {
      reads++
      return Promise.resolve(slice(10))
    }
    await cache.get(0, read)
    await new Promise((r) => setTimeout(r, 60))
    expect(cache.bytes).toBe(0)
    await cache.get(0, read)
    expect(reads).toBe(2)
    cache.clear()
  })

  it('does not keep a failed read', async () => {
    const cache = readCache<Uint8Array>({ maxBytes: 1 << 20, idleMs: 1_000 })
    await expect(cache.get(5, () => Promise.reject(new Error('damaged')))).rejects.toThrow(
      'damaged',
    )
    expect(await cache.get(5, () => Promise.resolve(slice(7)))).toHaveLength(7)
    expect(cache.bytes).toBe(7)
    cache.clear()
  })
})
