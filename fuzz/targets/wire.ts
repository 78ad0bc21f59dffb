/**
 * The BitTorrent wire as a peer drives it (BEP 3, BEP 6, BEP 10 and its extensions): a real
 * bittorrent-protocol Wire with what webtorrent and this node put on it — `hc_pay` (both
 * sides, over the in-memory pay ports unit tests use), ut_metadata (BEP 9, as for a torrent
 * added by magnet), lt_donthave — and the node's guard (src/node/torrent/wireGuard.ts). The
 * input is everything the peer sends: its handshake, its extended handshake and a run of
 * messages, valid ones mutated.
 *
 * Accepted: the wire is still open afterwards; rejected: it was closed (a ban, the guard, the
 * protocol). A finding: an exception out of the wire's parser, the guard catching an error
 * thrown by this node's own code (src/), an unhandled rejection, or a slow input.
 */
import Wire from 'bittorrent-protocol'
import fc from 'fast-check'
import ltDontHave from 'lt_donthave'
import utMetadata from 'ut_metadata'
import { type Address, type Hex, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Wire as TorrentWire } from 'webtorrent/dist/webtorrent.min.js'
import { MemoryBuyer, MemorySeller } from '../../scripts/test/payPorts.ts'
import { createPaySwarm } from '../../src/node/pay/extension.ts'
import { encodePayMessage } from '../../src/node/pay/wire.ts'
import { type BValue, bencode } from '../../src/node/torrent/bencode.ts'
import { type GuardableWire, guardWire } from '../../src/node/torrent/wireGuard.ts'
import type { WireProtocolError } from '../../src/shared/errors/swarm.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'
import { payMessageArb } from './hcPay.ts'

const INFO_HASH = '11'.repeat(20)
const market = {
  chainId: 31337,
  chequebook: '0x00000000000000000000000000000000000c0ffe' as Address,
  cardId: toHex(new Uint8Array(32).fill(7)) as Hex,
}
const account = privateKeyToAccount(`0x${'22'.repeat(32)}`)
const limits = { maxPrice: 10n ** 12n, perItem: 10n ** 15n, perDay: 10n ** 16n }
/** Our extended ids, in `use` order: what the peer must send to reach each extension. */
const EXT = { hc_pay: 1, ut_metadata: 2, lt_donthave: 3 } as const

const u32 = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n >>> 0)
  return b
}
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))
const message = (id: number, ...body: Uint8Array[]) => {
  const payload = cat(Uint8Array.of(id), ...body)
  return cat(u32(payload.length), payload)
}

/** The peer's handshake: BitTorrent, with BEP 10 and BEP 6 bits, our infoHash. */
const handshake = fc
  .record({ peer: fc.uint8Array({ minLength: 20, maxLength: 20 }), dht: fc.boolean() })
  .map(({ peer, dht }) => {
    const b = new Uint8Array(68)
    b[0] = 19
    b.set(new TextEncoder().encode('BitTorrent protocol'), 1)
    b[25] = 0x10
    b[27] = 0x04 | (dht ? 1 : 0)
    b.set(Buffer.from(INFO_HASH, 'hex'), 28)
    b.set(peer, 48)
    return b
  })

const small: fc.Arbitrary<BValue> = fc.oneof(
  fc.integer({ min: -2, max: 1 << 20 }),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 8 }),
)
/** The peer's extended handshake: its own ids for the extensions, and odd extras. */
const extHandshake = fc
  .record({
    m: fc.dictionary(
      fc.constantFrom('hc_pay', 'ut_metadata', 'lt_donthave', 'ut_pex', 'x'),
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        small,
        fc.dictionary(fc.constantFrom('toString', 'a'), small),
      ),
      { maxKeys: 4 },
    ),
    metadata_size: fc.oneof(fc.integer({ min: 0, max: 1 << 24 }), small),
    v: fc.string({ maxLength: 10 }),
    reqq: fc.integer({ min: 0, max: 1000 }),
  })
  .map((h) => message(20, Uint8Array.of(0), bencode(h as BValue)))

const idx = fc.nat(70)
/** Messages of every type BEP 3, 6 and 10 define, with plausible and odd values. */
const wireMessage = fc.oneof(
  fc.constant(u32(0)), // keep-alive
  fc.constantFrom(0, 1, 2, 3, 0x0e, 0x0f).map((id) => message(id)),
  idx.map((i) => message(4, u32(i))),
  fc.uint8Array({ maxLength: 12 }).map((b) => message(5, b)),
  fc
    .tuple(fc.constantFrom(6, 8, 0x10), idx, fc.nat(1 << 15), fc.constantFrom(16384, 1, 0, 1 << 17))
    .map(([id, i, o, l]) => message(id, u32(i), u32(o), u32(l))),
  fc
    .tuple(idx, fc.nat(1 << 15), fc.uint8Array({ maxLength: 64 }))
    .map(([i, o, b]) => message(7, u32(i), u32(o), b)),
  fc.nat(0xffff).map((p) => message(9, Uint8Array.of(p >> 8, p & 255))),
  fc.tuple(fc.constantFrom(0x0d, 0x11), idx).map(([id, i]) => message(id, u32(i))),
  payMessageArb.map((m) => message(20, Uint8Array.of(EXT.hc_pay), encodePayMessage(m))),
  fc
    .tuple(
      fc.record({ msg_type: fc.nat(3), piece: fc.nat(3), total_size: fc.nat(1 << 15) }),
      fc.uint8Array({ maxLength: 32 }),
    )
    .map(([d, tail]) => message(20, Uint8Array.of(EXT.ut_metadata), bencode(d), tail)),
  idx.map((i) => message(20, Uint8Array.of(EXT.lt_donthave), u32(i))),
)

/** A whole conversation from the peer's side. */
export const wireStreamArb = fc
  .tuple(handshake, extHandshake, fc.array(wireMessage, { minLength: 1, maxLength: 8 }))
  .map(([h, e, ms]) => cat(h, e, ...ms))

const rejections: unknown[] = []
let listening = false

/** Feeds `input` to a fresh wire as the peer; throws when the wire was closed. */
async function converse(input: Uint8Array): Promise<void> {
  if (!listening) {
    listening = true
    process.on('unhandledRejection', (err) => rejections.push(err))
  }
  const wire = new Wire()
  const dropped: WireProtocolError[] = []
  guardWire(wire as unknown as GuardableWire, (err) => dropped.push(err))
  const seller = new MemorySeller(market, account.address, { price: 1000n, credit: 2 })
  const buyer = new MemoryBuyer(account, market, limits)
  const pay = createPaySwarm(
    { infoHash: INFO_HASH, itemId: 'item', cardId: market.cardId },
    { seller, buyer },
    { banLingerMs: 0 },
  )
  pay.install(wire as unknown as TorrentWire)
  const w = wire as unknown as {
    use(ext: unknown): void
    _write(b: Uint8Array, cb: (err: Error | null) => void): void
  }
  w.use(utMetadata())
  w.use(ltDontHave())
  wire.on('error', () => {})
  wire.handshake(INFO_HASH, 'aa'.repeat(20), { fast: true })
  let escaped: unknown = null
  try {
    // What the stream does with bytes from the connection, called directly so a throw lands here.
    w._write(input, () => {})
    // Let the pay sides' promises (cheque checks, ledger) settle.
    await new Promise((r) => setImmediate(r))
  } catch (err) {
    escaped = err
  }
  const open = !wire.destroyed
  wire.destroy()
  pay.stop()
  if (escaped !== null) throw escaped // out of the parser: a finding (not WireClosed)
  const ours = dropped.find((e) => /\/src\//.test(topFrame(e.cause)))
  if (ours)
    throw new Error(`the guard caught this node's own error: ${(ours.cause as Error).stack}`)
  const r = rejections.splice(0)
  if (r.length > 0)
    throw new Error(`unhandled rejection: ${(r[0] as Error)?.stack ?? String(r[0])}`)
  if (!open) throw new WireClosed(dropped[0]?.details ?? 'closed by the protocol')
}

/** Where an error was thrown: the first frame of its stack. */
function topFrame(err: unknown): string {
  return (
    ((err as Error)?.stack ?? '').split('\n').find((l) => l.trimStart().startsWith('at ')) ?? ''
  )
}

/** The wire was closed: this input was refused. */
export class WireClosed extends Error {
  override name = 'WireClosed'
}

export const wireTarget: FuzzTarget<Uint8Array> = {
  name: 'wire',
  input: fuzzBytes(pool(wireStreamArb, 400), 400),
  parse: converse,
  async: true,
  errors: [WireClosed],
  ...hexForm,
}
