/**
 * `hc_pay` between two real bittorrent-protocol wires piped into each other in memory: a
 * seeder answering block requests as webtorrent does (from a store, a moment later) and a
 * payer requesting whole pieces and reporting them verified, with in-memory ports over the
 * real credit rule, payer lines and cheque signatures.
 */
import Wire from 'bittorrent-protocol'
import { type Address, type Hex, type LocalAccount, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import type { Wire as TorrentWire } from 'webtorrent/dist/webtorrent.min.js'
import { MemoryBuyer, MemorySeller, type Offer } from '../../../scripts/test/payPorts.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { signChequeBytes } from './cheques.ts'
import { CREDIT_GROWTH } from './credit.ts'
import { createPaySwarm, type PaySwarm } from './extension.ts'
import type { SpendLimits } from './spend.ts'
import { encodePayMessage, HC_PAY } from './wire.ts'

const PIECE = 4096
const BLOCK = 1024
/** Enough pieces for the window to grow to its cap (2 × CREDIT_GROWTH = 32) and stay there. */
const PIECES = 72
const content = new Uint8Array(PIECE * PIECES).map((_, i) => (i * 7) % 251)
const price = 1_000_000n
const market = {
  chainId: 31337,
  chequebook: '0x00000000000000000000000000000000000c0ffe' as Address,
  cardId: toHex(new Uint8Array(32).fill(7)) as Hex,
}
const t = { infoHash: '11'.repeat(20), itemId: 'item', cardId: market.cardId }
const SEEDER_ID = 'aa'.repeat(20)
const PAYER_ID = 'bb'.repeat(20)
const payee = privateKeyToAccount(generatePrivateKey()).address
const rich: SpendLimits = { maxPrice: 10n ** 12n, perItem: 10n ** 15n, perDay: 10n ** 16n }

type Pair = {
  seeder: Wire
  payer: Wire
  seller: MemorySeller
  buyer: MemoryBuyer
  seederPay: PaySwarm
  payerPay: PaySwarm
  account: LocalAccount
}

const open: Wire[] = []
afterEach(() => {
  for (const w of open.splice(0)) w.destroy()
})

const asTorrentWire = (w: Wire) => w as unknown as TorrentWire

/**
 * Two wires piped together, with `hc_pay` on the seeder and (unless `stock`) on the payer,
 * handshaken with BEP 6 and BEP 10, the payer interested. Each pair pays from a new account
 * unless one is given.
 */
async function connect(
  o: {
    offer?: Offer
    stock?: boolean
    limits?: SpendLimits
    seller?: MemorySeller
    account?: LocalAccount
  } = {},
): Promise<Pair> {
  const account = o.account ?? privateKeyToAccount(generatePrivateKey())
  const offer = o.offer === undefined ? { price, credit: 2 } : o.offer
  const seller = o.seller ?? new MemorySeller(market, payee, offer)
  const buyer = new MemoryBuyer(account, market, o.limits ?? rich)
  const seederPay = createPaySwarm(t, { seller }, { banLingerMs: 10 })
  const payerPay = createPaySwarm(t, { buyer })
  const seeder = new Wire()
  const payer = new Wire()
  open.push(seeder, payer)
  seederPay.install(asTorrentWire(seeder))
  if (!o.stock) payerPay.install(asTorrentWire(payer))
  serveLikeWebtorrent(seeder)
  seeder.pipe(payer).pipe(seeder)
  seeder.handshake(t.infoHash, SEEDER_ID, { fast: true })
  payer.handshake(t.infoHash, PAYER_ID, { fast: true })
  await waitFor('the handshakes', () => seeder.peerId && payer.peerId)
  payer.interested()
  return { seeder, payer, seller, buyer, seederPay, payerPay, account }
}

/** Answers requests from `content` after a store's delay; unchokes on interest, once. */
function serveLikeWebtorrent(seeder: Wire): void {
  seeder.on(
    'request',
    (i: number, off: number, len: number, respond: (e: Error | null, b?: Uint8Array) => void) => {
      const at = i * PIECE + off
      setTimeout(() => respond(null, content.slice(at, at + len)), 2)
    },
  )
  seeder.once('interested', () => seeder.unchoke())
}

/** Requests every block of piece `index`; whether all of them arrived, intact. */
function fetchPiece(wire: Wire, index: number): Promise<boolean> {
  const blocks = Array.from({ length: PIECE / BLOCK }, (_, b) => {
    const at = index * PIECE + b * BLOCK
    return new Promise<boolean>((resolve) =>
      wire.request(index, b * BLOCK, BLOCK, (err, chunk) =>
        resolve(!err && !!chunk && chunk.every((v, k) => v === content[at + k])),
      ),
    )
  })
  return Promise.all(blocks).then((ok) => ok.every(Boolean))
}

/** Fetches pieces [0, count), `depth` at a time, reporting each whole one verified. */
async function download(p: Pair, count: number, depth: number): Promise<number> {
  const missing = new Set(Array.from({ length: count }, (_, i) => i))
  const until = Date.now() + 15_000
  while (missing.size > 0 && Date.now() < until) {
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    const batch = [...missing].slice(0, depth)
    const ok = await Promise.all(batch.map((i) => fetchPiece(p.payer, i)))
    batch.forEach((i, k) => {
      if (!ok[k]) return
      missing.delete(i)
      p.payerPay.verified(i)
    })
  }
  return count - missing.size
}

/** Sends a cheque from the payer's side, bypassing its payer line. */
async function sendCheque(p: Pair, cumulative: bigint, signer = p.account): Promise<void> {
  const line = p.buyer.chequeLine(p.seller.terms(t)!)
  const signature = await signChequeBytes(signer, { ...line, payer: signer.address }, cumulative)
  p.payer.extended(HC_PAY, encodePayMessage({ type: 'cheque', cumulative, signature }))
}

/** The peer is banned: the seeder's port heard why, and the wire closes. */
async function expectBanned(p: Pair, reason: string): Promise<void> {
  await waitFor('the ban', () => p.seller.bans.length > 0)
  expect(p.seller.bans).toEqual([{ peerId: PAYER_ID, reason }])
  expect(p.seederPay.banned()).toEqual([PAYER_ID])
  await waitFor('the wire to close', () => p.seeder.destroyed)
}

describe('hc_pay: a payer', () => {
  it('pays one cheque per piece, or per batch that verified together, and gets every piece pipelined past its credit', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    // Four pieces asked at once: two fit the credit, the third chokes the payer, and the
    // blocks of the two admitted ones still arrive (the choke keeps them).
    const first = await Promise.all([0, 1, 2, 3].map((i) => fetchPiece(p.payer, i)))
    expect(first).toEqual([true, true, false, false])
    expect(p.payer.peerChoking).toBe(true)
    p.payerPay.verified(0)
    p.payerPay.verified(1)
    // Pieces 0 and 1 are asked again below: served free, and not paid twice.
    expect(await download(p, PIECES, 4)).toBe(PIECES)
    await waitFor(
      'every slice paid',
      () => p.seller.accepts.at(-1)?.cheque.cumulative === BigInt(PIECES) * price,
    )
    const cumulatives = p.seller.accepts.map((a) => a.cheque.cumulative)
    // Pieces 0 and 1 verified together: one cheque for both. Every cheque pays whole slices,
    // each more than the one before, and together exactly the pieces served.
    expect(cumulatives[0]).toBe(2n * price)
    for (const [k, c] of cumulatives.entries()) {
      expect(c % price).toBe(0n)
      expect(c > (cumulatives[k - 1] ?? 0n)).toBe(true)
    }
    // Four pieces verify at once in download(): far fewer cheques than pieces.
    expect(cumulatives.length).toBeLessThan(PIECES / 2)
    const served = p.seller.accepts.reduce((n, a) => n + a.served.slices, 0)
    expect(served).toBe(PIECES)
    // Bytes count what was sent, pieces 0 and 1 twice.
    const bytes = p.seller.accepts.reduce((n, a) => n + a.served.bytes, 0)
    expect(bytes).toBe((PIECES + 2) * PIECE)
    expect(p.payerPay.priceOf(asTorrentWire(p.payer))).toBe(Number(price))
    expect(p.seller.bans).toEqual([])
    expect(p.buyer.stops).toEqual([])
    // The first cheque goes whole, every later one as `next` (73 bytes framed, whatever the
    // slices it pays): the hello, the first cheque, then the rest, and the seeder read each
    // back as the same cheque.
    const whole = encodePayMessage({
      type: 'cheque',
      cumulative: 2n * price,
      signature: new Uint8Array(65),
    }).length
    expect(p.payerPay.bytes().sent).toBe(62 + 6 + whole + 6 + (cumulatives.length - 1) * 73)
  })

  it('pays pieces that verify while its cheque is still being made with one cheque, and the credit grows by all of them', async () => {
    const p = await connect()
    const wire = asTorrentWire(p.payer)
    expect(await download(p, 1, 1)).toBe(1)
    await waitFor('the first cheque', () => p.seller.accepts.length === 1)
    // Credit 2 + 1 paid: three more pieces may be asked, and no fourth while they are open.
    const fetch = (pieces: number[]) =>
      Promise.all(
        pieces.map((i) => {
          expect(p.payerPay.mayAsk(wire, i)).toBe(true)
          return fetchPiece(p.payer, i)
        }),
      )
    expect(p.payerPay.askable(wire)).toBe(null) // below the credit: any piece
    const three = fetch([1, 2, 3])
    expect(p.payerPay.mayAsk(wire, 4)).toBe(false)
    // At the credit the picker is offered only the pieces already asked (swarm/picker.ts).
    expect(p.payerPay.askable(wire)).toEqual(new Set([1, 2, 3]))
    expect(await three).toEqual([true, true, true])
    for (const i of [1, 2, 3]) p.payerPay.verified(i)
    await waitFor('the batch', () => p.seller.accepts.length === 2)
    await new Promise((r) => setTimeout(r, 50))
    // One cheque for the three, read from a `next` of 3 slices (73 bytes framed, as for one).
    expect(p.seller.accepts.map((a) => a.cheque.cumulative)).toEqual([price, 4n * price])
    expect(p.seller.accepts[1]!.served.slices).toBe(3)
    const whole = encodePayMessage({
      type: 'cheque',
      cumulative: price,
      signature: new Uint8Array(65),
    })
    expect(p.payerPay.bytes().sent).toBe(62 + 6 + whole.length + 6 + 73)
    // Both sides count 4 slices paid on the wire: credit 2 + 4 = 6, with nothing unpaid, so
    // six new pieces are admitted at once without a choke, and not a seventh.
    const six = fetch([4, 5, 6, 7, 8, 9])
    expect(p.payerPay.mayAsk(wire, 10)).toBe(false)
    expect(await six).toEqual([true, true, true, true, true, true])
    expect(p.payer.peerChoking).toBe(false)
    expect(p.seller.bans).toEqual([])
  })

  it('asks more pieces at once as it pays, never past what the seeder admits, up to CREDIT_GROWTH × credit', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    const wire = asTorrentWire(p.payer)
    const inFlight = new Map<number, Promise<boolean>>()
    const widths: number[] = []
    let next = 0
    let choked = false
    p.payer.on('choke', () => {
      choked = true
    })
    while (next < PIECES || inFlight.size > 0) {
      // Every piece the payer may ask now, as the picker would.
      while (next < PIECES && p.payerPay.mayAsk(wire, next)) {
        inFlight.set(next, fetchPiece(p.payer, next))
        next += 1
      }
      widths.push(inFlight.size)
      const [index, piece] = inFlight.entries().next().value as [number, Promise<boolean>]
      expect(await piece).toBe(true)
      inFlight.delete(index)
      const accepted = p.seller.accepts.length
      p.payerPay.verified(index)
      await waitFor('its cheque', () => p.seller.accepts.length === accepted + 1)
    }
    // 2 at first, one more per cheque, then held at 32 (the credit of 2 grown sixteenfold).
    expect(widths.slice(0, 4)).toEqual([2, 3, 4, 5])
    expect(Math.max(...widths)).toBe(2 * CREDIT_GROWTH)
    expect(widths.filter((w) => w === 2 * CREDIT_GROWTH).length).toBeGreaterThan(1)
    expect(choked).toBe(false)
    expect(p.seller.accepts.at(-1)?.cheque.cumulative).toBe(BigInt(PIECES) * price)
  })

  it('goes on from the receipt of a cheque it signed but lost', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const seller = new MemorySeller(market, payee, { price, credit: 2 })
    // The seeder holds 5 slices' worth from an earlier session; the payer's ledger is empty.
    const line = { ...market, payer: account.address, payee }
    const signature = await signChequeBytes(account, line, 5n * price)
    seller.cheques.set(account.address.toLowerCase(), { cumulative: 5n * price, signature })
    const p = await connect({ seller, account })
    expect(await download(p, 1, 1)).toBe(1)
    await waitFor('the cheque', () => seller.accepts.length === 1)
    expect(seller.accepts[0]!.cheque.cumulative).toBe(6n * price)
    expect(p.buyer.ledger.get(payee.toLowerCase())?.cumulative).toBe(6n * price)
    expect(seller.bans).toEqual([])
  })

  it('is paid for a block that arrives after its piece verified elsewhere', async () => {
    const p = await connect()
    p.payerPay.verified(0)
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    expect(await fetchPiece(p.payer, 0)).toBe(true)
    await waitFor('the cheque', () => p.seller.accepts.length === 1)
    expect(p.seller.accepts[0]!.cheque.cumulative).toBe(price)
  })

  it('stops paying, and asking priced wires, when a cap is reached', async () => {
    const p = await connect({ limits: { ...rich, perItem: 2n * price } })
    expect(await download(p, 3, 1)).toBe(3)
    await waitFor('the stop', () => p.buyer.stops.length > 0)
    expect(p.buyer.stops).toEqual([{ cap: 'The spending cap for this item is reached.' }])
    expect(p.seller.accepts.map((a) => a.cheque.cumulative)).toEqual([price, 2n * price])
    expect(p.payerPay.priceOf(asTorrentWire(p.payer))).toBe(Number.POSITIVE_INFINITY)
    expect(p.payerPay.askable(asTorrentWire(p.payer))).toEqual(new Set())
  })

  it('does not deal on terms it refuses: no hello, the wire is never asked', async () => {
    const p = await connect({ limits: { ...rich, maxPrice: price - 1n } })
    await waitFor('the terms', () => p.payerPay.priceOf(asTorrentWire(p.payer)) > 0)
    expect(p.payerPay.priceOf(asTorrentWire(p.payer))).toBe(Number.POSITIVE_INFINITY)
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    expect(await fetchPiece(p.payer, 0)).toBe(false) // no hello: the seeder serves nothing
    expect(p.seeder.uploaded).toBe(0)
  })
})

describe('hc_pay: the seeder', () => {
  it('serves a freeloader `credit` slices, then keeps it choked whatever webtorrent does', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    const got: boolean[] = []
    for (let i = 0; i < 4 && !p.payer.peerChoking; i++) got.push(await fetchPiece(p.payer, i))
    expect(got).toEqual([true, true, false])
    await waitFor('the choke', () => p.payer.peerChoking)
    p.seeder.unchoke() // webtorrent's rechoke or a new interest would
    expect(p.seeder.amChoking).toBe(true)
    expect(p.seeder.uploaded).toBe(2 * PIECE)
    expect(p.seller.accepts).toEqual([])
  })

  it('serves a payer whose book it had not read yet the moment the book arrives, not at the next rechoke', async () => {
    const seller = new MemorySeller(market, payee, { price, credit: 2 })
    seller.known = false // a payer first seen: balance 0 until log sync has read its book
    const p = await connect({ seller })
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    expect(await fetchPiece(p.payer, 0)).toBe(false)
    await waitFor('the hold', () => p.payer.peerChoking)
    // Held, but not told its balance is spent: it is not (the Wallet would say so until a
    // deposit).
    await new Promise((r) => setTimeout(r, 50))
    expect(p.buyer.stops).toEqual([])
    seller.setBalance(10n ** 18n) // the read arrives; nothing else happens on the wire
    await waitFor('the unchoke', () => !p.payer.peerChoking)
    expect(await download(p, 2, 2)).toBe(2)
    await waitFor('the cheque', () => seller.accepts.length > 0)
    expect(seller.bans).toEqual([])
    expect(p.buyer.stops).toEqual([])
    // A book read and spent is another matter: the payer hears why.
    seller.setBalance(seller.accepts.at(-1)!.cheque.cumulative)
    expect(await fetchPiece(p.payer, 2)).toBe(false)
    await waitFor('the reject', () => p.buyer.stops.length > 0)
    expect(p.buyer.stops).toEqual([{ code: 'over_balance', value: 0n }])
  })

  it('rejects a forged cheque and bans the peer', async () => {
    const p = await connect()
    await download(p, 1, 1)
    await waitFor('the first cheque', () => p.seller.accepts.length === 1)
    await sendCheque(p, 2n * price, privateKeyToAccount(generatePrivateKey()))
    await expectBanned(p, 'bad_signature')
    await waitFor('the reject', () => p.buyer.stops.length > 0)
    expect(p.buyer.stops).toEqual([{ code: 'bad_signature', value: 0n }])
  })

  it('rejects a replayed cheque and bans the peer', async () => {
    const p = await connect()
    await download(p, 1, 1)
    await waitFor('the first cheque', () => p.seller.accepts.length === 1)
    const held = p.seller.accepts[0]!.cheque
    p.payer.extended(HC_PAY, encodePayMessage({ type: 'cheque', ...held }))
    await expectBanned(p, 'replayed')
    expect(p.buyer.stops).toEqual([{ code: 'replayed', value: price }])
  })

  it('rejects an underpaying cheque and bans the peer', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    expect(await fetchPiece(p.payer, 0)).toBe(true)
    await sendCheque(p, price - 1n)
    await expectBanned(p, 'underpaid')
    expect(p.buyer.stops).toEqual([{ code: 'underpaid', value: price }])
  })

  it('rejects a malformed message and bans the peer', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    p.payer.extended(HC_PAY, Uint8Array.of(3, 1, 2))
    await expectBanned(p, 'malformed')
    expect(p.buyer.stops).toEqual([{ code: 'malformed', value: 0n }])
  })

  it('bans a peer whose next stands for no cheque (none came before it on the wire)', async () => {
    const p = await connect()
    await waitFor('an unchoke', () => !p.payer.peerChoking)
    const next = { type: 'next' as const, slices: 1n, signature: new Uint8Array(65).fill(1) }
    p.payer.extended(HC_PAY, encodePayMessage(next))
    await expectBanned(p, 'malformed')
  })

  it('serves a peer without hc_pay nothing when priced', async () => {
    const p = await connect({ stock: true })
    await waitFor('its interest', () => p.seeder.amChoking && interested(p.seeder))
    p.seeder.unchoke()
    expect(p.seeder.amChoking).toBe(true)
    expect(await fetchPiece(p.payer, 0)).toBe(false)
    expect(p.seeder.uploaded).toBe(0)
  })

  it('serves a peer without hc_pay, or with it, everything when free', async () => {
    for (const offer of [{ price: 0n, credit: 2 }, null]) {
      for (const stock of [true, false]) {
        const p = await connect({ offer, stock })
        expect(await download(p, PIECES, 4)).toBe(PIECES)
        expect(p.payerPay.priceOf(asTorrentWire(p.payer))).toBe(0)
        expect(p.seller.accepts).toEqual([])
        expect(p.buyer.stops).toEqual([])
      }
    }
  })
})

/** Whether the seeder's wire heard the payer's interest. */
function interested(w: Wire): boolean {
  return (w as unknown as { peerInterested: boolean }).peerInterested
}
