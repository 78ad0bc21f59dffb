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
})
