import { MessageChannel } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import type { AppConfig } from '../config.ts'
import { InvalidInputError } from '../errors/common.ts'
import { INIT, parseInitMessage } from './init.ts'

const config: AppConfig = {
  v: 1,
  chain: null,
  relay: { peerId: '12D3KooW', multiaddrs: ['/ip4/127.0.0.1/tcp/1/ws'], tracker: 'ws://x' },
  dev: true,
}

describe('the init message', () => {
  const { port1: rtc, port2 } = new MessageChannel()
  rtc.close()
  port2.close()

  it('passes a well-formed message through', () => {
    const msg = { type: INIT, config, debug: 'hashcard:*', rtc }
    expect(parseInitMessage(msg)).toEqual(msg)
    expect(parseInitMessage({ type: INIT, config, rtc })?.config).toBe(config)
  })

  it("ignores the other protocols' messages on the worker's port", () => {
    expect(parseInitMessage({ type: 'request', id: 1, method: 'node.status' })).toBeNull()
    expect(parseInitMessage({ type: 'abort', id: 1 })).toBeNull()
    expect(parseInitMessage({ type: 'hashcard:content-port', port: rtc })).toBeNull()
    expect(parseInitMessage(null)).toBeNull()
    expect(parseInitMessage('init')).toBeNull()
  })

  it('refuses a malformed init message and names the field', () => {
    const bad = [
      [{ type: INIT, config, rtc: null }, 'rtc'],
      [{ type: INIT, config, rtc, debug: 3 }, 'debug'],
      [{ type: INIT, config: { ...config, v: 2 }, rtc }, 'config'],
    ] as const
    for (const [msg, field] of bad) {
      const err = (() => {
        try {
          parseInitMessage(msg)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(InvalidInputError)
      expect(err).toMatchObject({ details: field })
    }
  })
})
