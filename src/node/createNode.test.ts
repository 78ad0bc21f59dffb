/**
 * The composition root in Node: createNode with a collecting RPC registers a handler for every
 * method of the page↔node RPC table (src/shared/protocol/methods/*.ts), each exactly once;
 * `start()` then `stop()` leaves nothing running. Node has no OPFS, so the store (and the
 * swarm, which needs it) fails to start here: the node reports that and runs the rest.
 */
import 'fake-indexeddb/auto'
import '../../scripts/test/webtorrentGlobals.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppConfig } from '../shared/config.ts'
import type { NodeEvent } from '../shared/protocol/rpc.ts'
import { createNode, type NodePorts } from './createNode.ts'
import { SERVER_METHODS } from './rpc/server.ts'

const config: AppConfig = {
  v: 1,
  chain: null,
  relay: { peerId: '12D3KooWtest', multiaddrs: [], tracker: 'ws://127.0.0.1:9/' },
  dev: true,
}

/** Method names as the tables declare them: the quoted `'domain.verb':` keys. */
function declaredMethods(): string[] {
  const dir = join(import.meta.dirname, '../shared/protocol/methods')
  const names: string[] = []
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(join(dir, f), 'utf8')
    for (const m of src.matchAll(/^ {2}'([a-z]+\.[A-Za-z]+)':/gm)) names.push(m[1] as string)
  }
  return names
}

function collectingRpc() {
  const registered: string[] = []
  const events: NodeEvent[] = []
  const rpc: NodePorts['rpc'] = {
    register: (handlers) => {
      for (const [name, fn] of Object.entries(handlers)) {
        expect(typeof fn).toBe('function')
        registered.push(name)
      }
    },
    emit: (e) => events.push(e),
  }
  return { rpc, registered, events }
}

describe('createNode', () => {
  it('registers one handler for every method of the RPC table', () => {
    // The RPC server answers its own (spend.answer, tested in rpc/rpc.test.ts); the services the rest.
    const own: readonly string[] = SERVER_METHODS
    const declared = declaredMethods().filter((m) => !own.includes(m))
    // The table is what the page may call: sanity-check the parse against a few known names.
    expect(declared).toEqual(
      expect.arrayContaining(['identity.state', 'swarm.seed', 'feed.query', 'keys.list'] as const),
    )
    expect(new Set(declared).size).toBe(declared.length)
    const { rpc, registered, events } = collectingRpc()
    createNode(config, { rpc })
    expect([...registered].sort()).toEqual([...declared].sort())
    expect(new Set(registered).size).toBe(registered.length)
    // Building starts nothing and says nothing.
    expect(events).toEqual([])
  })

  it('stop() after start() leaves no timers or sockets running and no events coming', async () => {
    // What keeps the process alive, less vitest's own pipes and one-shot immediates.
    const active = () =>
      process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'Immediate')
    const before = active()
    const { rpc, events } = collectingRpc()
    const node = createNode(config, { rpc })
    await node.start()
    // Everything but the OPFS-backed parts started; the network is trying the relay.
    const errors = events.flatMap((e) => (e.kind === 'log' ? [e.message] : []))
    expect(errors).toEqual([expect.stringMatching(/^The swarm service failed to start: /)])
    expect(events.some((e) => e.kind === 'status')).toBe(true)
    expect(active().length).toBeGreaterThan(before.length)
    await node.stop()
    await new Promise((r) => setTimeout(r, 300))
    const after = events.length
    expect(active()).toEqual(before)
    await new Promise((r) => setTimeout(r, 1_000))
    expect(events.length).toBe(after)
  })
})
