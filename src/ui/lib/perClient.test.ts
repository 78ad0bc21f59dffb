import { describe, expect, it } from 'vitest'
import { perClient, Watched } from './perClient.ts'
import type { Rpc } from './rpc-client.ts'

describe('shared page models', () => {
  it('perClient makes one instance per node client', () => {
    let made = 0
    const of = perClient((rpc) => ({ rpc, n: ++made }))
    const [a, b] = [{} as Rpc, {} as Rpc]
    expect(of(a)).toBe(of(a))
    expect(of(b)).not.toBe(of(a))
    expect(made).toBe(2)
  })

  it('Watched runs while anyone watches, once, and a release counts once', () => {
    const log: string[] = []
    const w = new Watched(() => {
      log.push('start')
      return () => log.push('stop')
    })
    const first = w.watch()
    const second = w.watch()
    first()
    first()
    expect(log).toEqual(['start'])
    second()
    expect(log).toEqual(['start', 'stop'])
    w.watch()
    expect(log).toEqual(['start', 'stop', 'start'])
  })
})
