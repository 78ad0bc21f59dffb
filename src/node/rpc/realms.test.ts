import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RpcEndpoint } from '../../ui/lib/rpc-client.ts'
import type { RpcPort } from './server.ts'

/**
 * The page and the node worker are separate realms: each has its own copy of every error class
 * and its own registry. `vi.resetModules()` gives each realm here fresh module instances, and
 * each calls `registerAllErrors()` as its entry does (src/node/main.ts, src/ui/main.ts).
 */
async function realm() {
  vi.resetModules()
  const registry = await import('../../shared/errors/registry.ts')
  registry.registerAllErrors()
  return {
    ...(await import('../../shared/errors/common.ts')),
    ...(await import('../../shared/errors/swarm.ts')),
    ...(await import('../../shared/errors/access.ts')),
    ...(await import('../../shared/errors/card.ts')),
  }
}

async function nodeRealm() {
  const errors = await realm()
  const { RpcServer } = await import('./server.ts')
  return { ...errors, RpcServer }
}

async function pageRealm() {
  const errors = await realm()
  const { RpcClient } = await import('../../ui/lib/rpc-client.ts')
  return { ...errors, RpcClient }
}

const node = await nodeRealm()
const page = await pageRealm()

const channels: MessageChannel[] = []
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close()
    c.port2.close()
  }
})

/** What the page gets when the node's `node.status` handler throws `err`. */
async function thrownAcross(err: Error): Promise<unknown> {
  const channel = new MessageChannel()
  channels.push(channel)
  const server = new node.RpcServer()
  server.attach(channel.port1 as unknown as RpcPort)
  const client = new page.RpcClient(channel.port2 as unknown as RpcEndpoint)
  server.register({
    'node.status': async () => {
      throw err
    },
  })
  return client.call('node.status', undefined).catch((e: unknown) => e)
}

describe('errors across two realms (page and node worker)', () => {
  it('the realms do not share classes', () => {
    expect(page.SwarmItemNotFoundError).not.toBe(node.SwarmItemNotFoundError)
  })

  const cases = [
    [
      'SwarmItemNotFoundError',
      () => new node.SwarmItemNotFoundError('No such item.', { details: 'id abc' }),
      page.SwarmItemNotFoundError,
    ],
    [
      'TimeoutError',
      () => new node.TimeoutError('Slice 3 did not finish within 50 ms.', { details: 'peer x' }),
      page.TimeoutError,
    ],
    [
      'NoContentKeyError',
      () => new node.NoContentKeyError('No key for this card.', { details: 'card 0x01' }),
      page.NoContentKeyError,
    ],
    [
      'CardCodecError',
      () => new node.CardCodecError('The card is malformed.', { details: 'field t' }),
      page.CardCodecError,
    ],
  ] as const

  for (const [name, make, pageClass] of cases)
    it(`a ${name} thrown in the node arrives as the page's ${name}`, async () => {
      const sent = make()
      const got = await thrownAcross(sent)
      expect(got).toBeInstanceOf(pageClass)
      expect(got).not.toBe(sent)
      expect(got).toMatchObject({
        name,
        shortMessage: sent.shortMessage,
        details: sent.details,
      })
    })

  it('a cancelled handler arrives as the page realm’s AbortedError with its message', async () => {
    const got = await thrownAcross(new node.AbortedError('Waiting for the slice was cancelled.'))
    expect(got).toBeInstanceOf(page.AbortedError)
    expect(got).toMatchObject({ shortMessage: 'Waiting for the slice was cancelled.' })
  })
})
