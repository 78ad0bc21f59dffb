/**
 * Test page for the room dialog (room.browser.test.ts): RoomDialog over the app's asker, and a
 * "Play" button that plays a card through `withRoom` over a fake node. The fake refuses the
 * play with a StorageBudgetError that crossed a (simulated) postMessage, as the node's does,
 * until `seed.evict` removed enough; every call is recorded in `__calls`.
 */
import { mount } from 'svelte'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { type RoomAsk, StorageBudgetError } from '../../shared/errors/seed.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import RoomDialog from './RoomDialog.svelte'
import { roomAsker, withRoom } from './roomAsk.svelte.ts'

registerAllErrors()
const MiB = 1024 * 1024
const ask: RoomAsk = {
  bytes: 24 * MiB,
  shortfall: 10 * MiB,
  candidates: [
    {
      id: 'old-pin',
      kind: 'content',
      name: 'Old talk',
      bytes: 16 * MiB,
      pinned: true,
      own: false,
      suggested: true,
    },
    {
      id: 'mine',
      kind: 'content',
      name: 'My clip',
      bytes: 8 * MiB,
      pinned: false,
      own: true,
      suggested: false,
    },
  ],
}

const w = window as unknown as { __calls: string[]; __reset: () => void }
let freed = 0
w.__calls = []
w.__reset = () => {
  w.__calls = []
  freed = 0
}
const rpc = {
  async call(method: string, params: unknown): Promise<never> {
    w.__calls.push(`${method} ${JSON.stringify(params)}`)
    if (method === 'seed.evict') {
      const ids = (params as { ids: string[] }).ids
      freed += ask.candidates.filter((c) => ids.includes(c.id)).reduce((s, c) => s + c.bytes, 0)
      return { evicted: ids, freed } as never
    }
    // 0x02 is larger than the whole budget: refused with nothing to ask.
    const big = (params as { cardId?: string }).cardId === '0x02'
    if (big || freed < ask.shortfall) {
      const refusal = new StorageBudgetError('Not enough room.', big ? {} : { data: { ask } })
      throw deserializeError(structuredClone(serializeError(refusal)))
    }
    return { itemId: 'played' } as never
  },
}

mount(RoomDialog, {
  target: document.getElementById('dialog') as HTMLElement,
  props: { asker: roomAsker },
})
const app = document.getElementById('app') as HTMLElement
const out = document.createElement('output')
const play = (cardId: string) => {
  out.textContent = ''
  withRoom(rpc, () => rpc.call('content.play', { cardId }) as Promise<{ itemId: string }>).then(
    (r) => {
      out.textContent = `played ${r.itemId}`
    },
    (err: Error) => {
      out.textContent = `failed: ${err.name}`
    },
  )
}
for (const [label, cardId] of [
  ['Play', '0x01'],
  ['Play big', '0x02'],
] as const) {
  const b = document.createElement('button')
  b.textContent = label
  b.onclick = () => play(cardId)
  app.append(b)
}
app.append(out)
