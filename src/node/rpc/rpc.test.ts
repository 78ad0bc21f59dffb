import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { BaseError } from '../../shared/errors/base.ts'
import { AbortedError, InvalidInputError } from '../../shared/errors/common.ts'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { registerErrors } from '../../shared/errors/wire.ts'
import type { RpcEndpoint } from '../../ui/lib/rpc-client.ts'
import { RpcClient } from '../../ui/lib/rpc-client.ts'
import { type RpcPort, RpcServer } from './server.ts'

class TestDomainError extends BaseError {
  override name = 'TestDomainError' as const
}
// As every realm's entry does; this test's one realm plays both the page and the node.
registerAllErrors()
registerErrors({ TestDomainError })

const channels: MessageChannel[] = []
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close()
    c.port2.close()
  }
})

/** A client and server talking over a real MessageChannel (structured clone included). */
function pair() {
  const channel = new MessageChannel()
  channels.push(channel)
  const server = new RpcServer()
  server.attach(channel.port1 as unknown as RpcPort)
  const client = new RpcClient(channel.port2 as unknown as RpcEndpoint)
  return { server, client }
}

describe('typed RPC between the page and the node worker', () => {
  it('matches results to requests by id, out of order', async () => {
    const { server, client } = pair()
    server.register({
      'node.publishGossip': async ({ data }) => {
        await new Promise((r) => setTimeout(r, data === 'slow' ? 50 : 1))
        return { recipients: data.length }
      },
    })
    const [slow, fast] = await Promise.all([
      client.call('node.publishGossip', { topic: 't', data: 'slow' }),
      client.call('node.publishGossip', { topic: 't', data: 'fast!' }),
    ])
    expect(slow.recipients).toBe(4)
    expect(fast.recipients).toBe(5)
  })

  it('rebuilds errors into their BaseError class across postMessage', async () => {
    const { server, client } = pair()
    server.register({
      'node.status': async () => {
        throw new TestDomainError('Nope.', { details: 'because' })
      },
    })
    const err = await client.call('node.status', undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TestDomainError)
    expect((err as TestDomainError).shortMessage).toBe('Nope.')
    expect((err as TestDomainError).details).toBe('because')
  })

  it('answers an unknown method with a typed error instead of hanging', async () => {
    const { client } = pair()
    await expect(client.call('node.status', undefined)).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('cancels the handler through its AbortSignal when the caller aborts', async () => {
    const { server, client } = pair()
    let handlerSignal: AbortSignal | undefined
    server.register({
      'node.dial': ({ peerId }, { signal }) => {
        handlerSignal = signal
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason))
          void peerId
        })
      },
    })
    const controller = new AbortController()
    const call = client.call('node.dial', { peerId: 'x' }, { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(AbortedError)
    await expect.poll(() => handlerSignal?.aborted).toBe(true)
  })

  it('pushes events to every attached page', async () => {
    const { server, client } = pair()
    const seen: string[] = []
    client.onEvent((e) => {
      if (e.kind === 'log') seen.push(e.message)
    })
    server.emit({ kind: 'log', level: 'info', message: 'hello' })
    await expect.poll(() => seen).toEqual(['hello'])
  })

  it('a spend asks the page that made it, names what it is for, and waits for the answer', async () => {
    const { server, client } = pair()
    const quote = {
      contract: 'cardRegistry',
      action: 'react',
      value: '0',
      gas: '50000',
      gasPrice: '1000000000',
      fee: '50000000000000',
      from: '0x0000000000000000000000000000000000000001',
      balance: '1000000000000000000',
    } as const
    const answers: boolean[] = []
    let unconfirmed: unknown = 'unset'
    server.register({
      'feed.react': async (_p, ctx) => {
        if (!ctx.confirm) {
          unconfirmed = ctx.confirm
          return undefined
        }
        answers.push(await ctx.confirm(quote))
        return undefined
      },
    })
    const asked: { what: string | undefined; quote: unknown }[] = []
    client.onEvent((e) => {
      if (e.kind !== 'spend.confirm') return
      asked.push({ what: client.spendOf(e.request), quote: e.quote })
      void client.call('spend.answer', { id: e.id, ok: asked.length === 1 })
    })
    await client.spend('feed.react', { id: '0x01' }, { what: 'Your like on “A”' })
    await client.spend('feed.react', { id: '0x01' }, { what: 'Your like on “B”' })
    expect(asked.map((a) => a.what)).toEqual(['Your like on “A”', 'Your like on “B”'])
    expect(asked[0]?.quote).toEqual(quote)
    expect(answers).toEqual([true, false])
    // A request without `confirm` (tests and tools over the wire; the UI's types forbid it)
    // is not asked.
    const untyped = client as unknown as { call(m: string, p: unknown): Promise<unknown> }
    await untyped.call('feed.react', { id: '0x01' })
    expect(unconfirmed).toBeUndefined()
  })

  it('an aborted spend stops waiting for its answer', async () => {
    const { server, client } = pair()
    let outcome: unknown = null
    server.register({
      'feed.follow': async (_p, ctx) => {
        outcome = await ctx.confirm!({} as never).catch((e: unknown) => e)
        return undefined
      },
    })
    const controller = new AbortController()
    let asked = false
    client.onEvent((e) => {
      if (e.kind === 'spend.confirm') asked = true
    })
    const call = client.spend(
      'feed.follow',
      { address: '0x01', follow: true },
      { what: 'x', signal: controller.signal },
    )
    await expect.poll(() => asked).toBe(true)
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(AbortedError)
    await expect.poll(() => outcome).toBeInstanceOf(AbortedError)
    expect(client.spendOf(1)).toBeUndefined()
  })
})
