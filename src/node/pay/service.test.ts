/**
 * The pay service on a real anvil, over the real account service, as createNode wires them:
 * a payer node deposits, a seller node sees the deposit through log sync, the payer signs
 * cheques on its line and the seller accepts them (memory first), the seller cashes them and
 * the chain splits each amount exactly between payee and creator, both ledgers reconcile to
 * `paidOf`, a reload resumes the signed cumulative, a cap stops paying, the creator claims its
 * royalties, and an announced withdrawal leaves the seller's view and makes it cash at once.
 */
import 'fake-indexeddb/auto'
import { type Address, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gasCost, makeCard, setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { chainConfigOf } from '../../../scripts/stack.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import type { ChainConfig } from '../../shared/config.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { accountService } from '../account/service.ts'
import { chequebookAbi } from '../chain/abi.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { postCard } from '../chain/postCard.ts'
import { getOwed, getPaid } from '../chain/reads.ts'
import { deriveIdentity, type Identity } from '../crypto/identity.ts'
import type { RpcHandlers } from '../rpc/server.ts'
import { judgeHello, SeederLine } from './credit.ts'
import type { PayTorrent } from './ports.ts'
import { payService } from './service.ts'
import type { PayCheque } from './wire.ts'

type PayMethod = Extract<keyof RpcMethods, `pay.${string}`>

/** 10^14 + 7 wei a slice: odd, so the 10 % royalty rounds down somewhere. */
const PRICE = 10n ** 14n + 7n
const DEPOSIT = parseEther('1')

let chain: TestChain
let config: ChainConfig
let dbs = 0

/** A new identity whose account holds 100 ETH for gas. */
async function funded(): Promise<Identity> {
  const id = await deriveIdentity(crypto.getRandomValues(new Uint8Array(64)))
  await chain.test.setBalance({ address: id.address, value: parseEther('100') })
  return id
}

/** The account and pay services of one node, with its RPC handlers and the events it sent. */
async function node(id: Identity, opts: { priceOf?: () => bigint; cashMultiple?: bigint } = {}) {
  const events: NodeEvent[] = []
  const emit = (e: NodeEvent) => events.push(e)
  const handlers: Partial<RpcHandlers> = {}
  const rpc = { register: (h: Partial<RpcHandlers>) => Object.assign(handlers, h) }
  const account = accountService({ chain: config })({
    identity: { identity: async () => id },
    emit,
  })
  const init = { dbPrefix: `pay-svc-${++dbs}`, cashIntervalMs: 0, pollIntervalMs: 50 }
  const open = () =>
    payService({ ...init, cashMultiple: opts.cashMultiple })({
      account,
      emit,
      rpc,
      priceOf: opts.priceOf,
    })
  await account.start()
  let pay = open()
  await pay.start()
  const call = <M extends PayMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>> => {
    const h = handlers[method] as RpcHandlers[M]
    return h(params, { signal: new AbortController().signal })
  }
  return {
    address: id.address,
    events,
    call,
    get pay() {
      return pay
    },
    /** A reload: a new pay service over the same databases. */
    async reload() {
      await pay.stop()
      pay = open()
      await pay.start()
    },
    async stop() {
      await pay.stop()
      await account.stop()
    },
  }
}
type Node = Awaited<ReturnType<typeof node>>

describe('PayService on anvil', () => {
  let payer: Node
  let seller: Node
  let creator: Node
  let cards: [Hex, Hex]
  const torrents: PayTorrent[] = []
  const balanceOf = (a: Address) => chain.ctx[0]!.publicClient.getBalance({ address: a })

  beforeAll(async () => {
    chain = await setupChain(1)
    config = chainConfigOf(chain.deployed, chain.anvil.rpcUrl)
    const ids = [await funded(), await funded(), await funded()]
    const c: ChainContext = {
      ...createChainClients({
        rpcUrl: config.rpcUrl,
        chainId: config.chainId,
        account: ids[2]!.account,
      }),
      contracts: config.contracts,
    }
    cards = [
      (await postCard(c, { card: makeCard('paid a') })).cardId,
      (await postCard(c, { card: makeCard('paid b') })).cardId,
    ]
    for (const [i, cardId] of cards.entries())
      torrents.push({ infoHash: `${i}`.repeat(40), itemId: `item-${i}`, cardId })
    payer = await node(ids[0]!)
    // A seller that cashes by policy only past a million times the gas (or when urgent).
    seller = await node(ids[1]!, { priceOf: () => PRICE, cashMultiple: 10n ** 6n })
    creator = await node(ids[2]!)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([payer?.stop(), seller?.stop(), creator?.stop()])
    await chain?.stop()
  })

  it('has no terms without a card; a payer first seen has balance 0 until its book is read', () => {
    expect(seller.pay.seller.terms({ ...torrents[0]!, cardId: null })).toBeNull()
    expect(seller.pay.seller.view(payer.address, cards[0])).toMatchObject({
      balance: 0n,
      known: false,
    })
  })

  it('deposits into the node’s book and every node’s log sync sees it', async () => {
    // A seeder's wire held for a payer's book hears of each change (extensionSeller.ts).
    let heard = 0
    const off = seller.pay.seller.onBookChange?.(payer.address, () => {
      heard += 1
    })
    const { hash } = await payer.call('pay.deposit', { amount: DEPOSIT.toString() })
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
    const mine = await waitFor('the payer’s own balance', async () => {
      const o = await payer.call('pay.overview', undefined)
      return o?.chequebook?.balance === DEPOSIT.toString() && o.chequebook
    })
    expect(mine).toMatchObject({ payer: payer.address, committed: '0', withdrawal: null })
    expect(mine.withdrawDelay).toBe(24 * 60 * 60)
    expect(payer.events).toContainEqual({ kind: 'pay.chain' })
    await waitFor('the seller’s view of the deposit', () =>
      seller.pay.seller.view(payer.address, cards[0]).balance === DEPOSIT ? true : null,
    )
    expect(heard).toBeGreaterThan(0)
    off?.()
  })

  it('signs cheques on one line per payee and card; the seller holds them at once', async () => {
    const last: PayCheque[] = []
    for (const t of torrents) {
      const terms = seller.pay.seller.terms(t)!
      expect(terms).toEqual({
        type: 'terms',
        chainId: config.chainId,
        chequebook: config.contracts.chequebook,
        payee: seller.address,
        cardId: t.cardId,
        price: PRICE,
        credit: 2,
      })
      expect(payer.pay.buyer.judge(t, terms)).toEqual({ ok: true })
      const hello = payer.pay.buyer.hello(t, terms)!
      expect(hello.payer).toBe(payer.address)
      expect(judgeHello(hello, { chainId: terms.chainId, cardId: terms.cardId })).toBeNull()
      const line = await payer.pay.buyer.line(t, terms)
      expect(await payer.pay.buyer.line(t, terms)).toBe(line)

      // The seeder's side of the wire, as the extension runs it.
      const payerAddr = payer.address
      const cardId = t.cardId!
      const wire = new SeederLine({
        price: terms.price,
        credit: terms.credit,
        held: seller.pay.seller.held(payerAddr, cardId),
      })
      wire.onHello()
      const check = seller.pay.seller.verifier(payerAddr, cardId)
      for (let i = 1n; i <= 5n; i++) {
        wire.served(seller.pay.seller.view(payerAddr, cardId))
        const cheque = (await line.onSliceVerified())!
        expect(cheque.cumulative).toBe(i * PRICE)
        const valid = check(cheque.cumulative, cheque.signature)
        const view = seller.pay.seller.view(payerAddr, cardId)
        expect(wire.onCheque(cheque.cumulative, valid, view)).toMatchObject({ accepted: true })
        const saved = seller.pay.seller.accepted(payerAddr, cardId, cheque, {
          slices: 1,
          bytes: 1_000,
        })
        expect(seller.pay.seller.held(payerAddr, cardId)).toBe(i * PRICE) // before it is saved
        await saved
        if (i === 5n) last.push(cheque)
      }
      expect(payer.pay.buyer.ownCheque(t, terms, last.at(-1)!)).toBe(true)
      await line.settled() // a cheque sent from ahead is recorded right after it leaves
    }
    // What the payer owes on its other line counts against its book.
    expect(seller.pay.seller.view(payer.address, cards[0])).toEqual({
      balance: DEPOSIT,
      paid: 0n,
      uncashedElsewhere: 5n * PRICE,
      known: true,
    })
    const o = (await payer.call('pay.overview', undefined))!
    expect(o.chequebook?.committed).toBe((10n * PRICE).toString())
    expect(o.spentToday).toBe((10n * PRICE).toString())
    expect(o.spent.reduce((s, p) => s + BigInt(p.wei), 0n)).toBe(10n * PRICE)
    const earned = (await seller.call('pay.overview', undefined))!
    expect(earned.owed).toBe((10n * PRICE).toString())
    expect(earned.lines.map((l) => [l.side, l.cumulative, l.slices, l.bytes])).toEqual([
      ['received', (5n * PRICE).toString(), 5, 5_000],
      ['received', (5n * PRICE).toString(), 5, 5_000],
    ])
    expect(seller.events.filter((e) => e.kind === 'pay.cheque')).toHaveLength(10)
    // The week's earnings per card (eviction's value): the seller's, not the payer's.
    expect(cards.map((c) => seller.pay.earned7d(c))).toEqual([5n * PRICE, 5n * PRICE])
    expect(payer.pay.earned7d(cards[0])).toBe(0n)
    expect(seller.pay.earned7d(null)).toBe(0n)
  })

  it('cashes on demand; the chain splits each amount exactly; both ledgers reconcile', async () => {
    const bps = await chain.ctx[0]!.publicClient.readContract({
      address: config.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'ROYALTY_BPS',
    })
    const amount = 5n * PRICE
    const royalty = 2n * ((amount * bps) / 10_000n) // rounded down per cheque, as the contract does
    const sellerBefore = await balanceOf(seller.address)
    const owedBefore = await getOwed(chain.ctx[0]!, {
      account: creator.address,
      from: 'chequebook',
    })

    await seller.pay.cashByPolicy() // far below its multiple: nothing yet
    expect((await seller.call('pay.overview', undefined))?.owed).toBe((2n * amount).toString())
    const r = await seller.call('pay.cash', undefined)
    expect(r).toMatchObject({ cheques: 2, amount: (2n * amount).toString() })
    const receipt = await chain.ctx[0]!.publicClient.getTransactionReceipt({ hash: r.hash! })
    expect(await balanceOf(seller.address)).toBe(
      sellerBefore + 2n * amount - royalty - gasCost(receipt),
    )
    expect(await getOwed(chain.ctx[0]!, { account: creator.address, from: 'chequebook' })).toBe(
      owedBefore + royalty,
    )
    for (const cardId of cards) {
      const key = { payer: payer.address, payee: seller.address, cardId }
      expect(await getPaid(chain.ctx[0]!, key)).toBe(amount)
    }
    // The seller's cash ran a sync pass: its ledger agrees already; the payer's follows.
    const sold = (await seller.call('pay.overview', undefined))!
    expect(sold.lines.every((l) => l.cashed === amount.toString())).toBe(true)
    expect(sold.owed).toBe('0')
    await waitFor('the payer’s ledger to reconcile', async () => {
      const o = (await payer.call('pay.overview', undefined))!
      return o.lines.every((l) => l.cashed === amount.toString()) && o.chequebook?.committed === '0'
    })
    expect(seller.pay.seller.view(payer.address, cards[0])).toEqual({
      balance: DEPOSIT - 2n * amount,
      paid: amount,
      uncashedElsewhere: 0n,
      known: true,
    })
    // Nothing more to cash.
    expect(await seller.call('pay.cash', undefined)).toEqual({
      hash: null,
      cheques: 0,
      amount: '0',
    })

    // The creator takes its royalties.
    const before = await balanceOf(creator.address)
    const claim = await creator.call('pay.claim', undefined)
    const claimReceipt = await chain.ctx[0]!.publicClient.getTransactionReceipt({
      hash: claim.hash,
    })
    expect(BigInt(claim.amount)).toBe(owedBefore + royalty)
    expect(await balanceOf(creator.address)).toBe(
      before + owedBefore + royalty - gasCost(claimReceipt),
    )
  })

  it('resumes the signed cumulative after a reload, and stops at a spending cap', async () => {
    const t = torrents[0]!
    const terms = seller.pay.seller.terms(t)!
    await payer.reload()
    const line = await payer.pay.buyer.line(t, terms)
    expect(line.signed).toBe(5n * PRICE)
    const sixth = (await line.onSliceVerified())!
    expect(sixth.cumulative).toBe(6n * PRICE)
    const check = seller.pay.seller.verifier(payer.address, t.cardId!)
    expect(check(sixth.cumulative, sixth.signature)).toBe(true)
    await seller.pay.seller.accepted(payer.address, t.cardId!, sixth, { slices: 1, bytes: 1_000 })
    // A reload keeps the week's earnings (written in the background, flushed on close).
    await seller.reload()
    expect(seller.pay.earned7d(t.cardId)).toBe(6n * PRICE)

    await expect(
      payer.call('pay.setSettings', { maxPrice: '1', perItem: 'lots', perDay: '1' }),
    ).rejects.toMatchObject({
      name: 'SpendingSettingsError',
      shortMessage: expect.stringMatching(/perItem/),
    })
    const caps = {
      maxPrice: PRICE.toString(),
      perItem: (6n * PRICE).toString(),
      perDay: (10n ** 18n).toString(),
    }
    expect(await payer.call('pay.setSettings', caps)).toEqual(caps)
    const err = await line.onSliceVerified().catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'SpendingCapError' })
    expect(line.signed).toBe(6n * PRICE)
    payer.pay.buyer.stopped(t, { cap: (err as Error & { shortMessage: string }).shortMessage })
    expect(payer.events).toContainEqual({
      kind: 'pay.stopped',
      stopped: { reason: 'cap', message: expect.stringMatching(/cap/), cardId: t.cardId },
    })
    const o = (await payer.call('pay.overview', undefined))!
    expect(o.settings).toEqual(caps)
    expect(o.stopped?.reason).toBe('cap')
    const sent = o.lines.find((l) => l.cardId.toLowerCase() === t.cardId!.toLowerCase())
    expect(sent?.cumulative).toBe((6n * PRICE).toString())

    // The settings survive a reload too.
    await payer.reload()
    expect((await payer.call('pay.overview', undefined))?.settings).toEqual(caps)
    expect((await payer.pay.buyer.line(t, terms)).signed).toBe(6n * PRICE)
  })

  it('cashes at once when a payer announces a withdrawal, which unlocks later', async () => {
    const left = DEPOSIT - 10n * PRICE
    const out = 10n ** 17n
    await payer.call('pay.announceWithdraw', { amount: out.toString() })
    await waitFor('the seller to see the withdrawal coming', () =>
      seller.pay.seller.view(payer.address, cards[0]).balance === left - out ? true : null,
    )
    const o = (await payer.call('pay.overview', undefined))!
    expect(o.chequebook?.withdrawal?.amount).toBe(out.toString())

    // The sixth cheque is far below the seller's multiple, but the money is leaving: cash now.
    await seller.pay.cashByPolicy()
    const key = { payer: payer.address, payee: seller.address, cardId: cards[0] }
    expect(await getPaid(chain.ctx[0]!, key)).toBe(6n * PRICE)
    expect((await seller.call('pay.overview', undefined))?.owed).toBe('0')

    await chain.advance(24 * 60 * 60 + 1)
    const w = await payer.call('pay.withdraw', undefined)
    expect(w.amount).toBe(out.toString())
    const rest = left - PRICE - out
    await waitFor('the payer’s book after the withdrawal', async () => {
      const c = (await payer.call('pay.overview', undefined))?.chequebook
      return c?.balance === rest.toString() && c.withdrawal === null
    })
    await waitFor('the seller’s view after the withdrawal', () =>
      seller.pay.seller.view(payer.address, cards[0]).balance === rest ? true : null,
    )
  })

  it('follows a reorg: a cash that left the chain is owed again, then cashed once', async () => {
    const p2 = await node(await funded())
    const s2 = await node(await funded(), { priceOf: () => PRICE })
    try {
      const t = torrents[1]!
      const cardId = t.cardId!
      await p2.call('pay.deposit', { amount: DEPOSIT.toString() })
      await waitFor('the seller’s view of the deposit', () =>
        s2.pay.seller.view(p2.address, cardId).balance === DEPOSIT ? true : null,
      )
      const line = await p2.pay.buyer.line(t, s2.pay.seller.terms(t)!)
      for (let i = 0; i < 3; i++) {
        const cheque = (await line.onSliceVerified())!
        await s2.pay.seller.accepted(p2.address, cardId, cheque, { slices: 1, bytes: 1 })
      }
      const snapshot = await chain.test.snapshot()
      expect(await s2.call('pay.cash', undefined)).toMatchObject({ cheques: 1 })
      expect((await s2.call('pay.overview', undefined))?.owed).toBe('0')

      // The block with the cash is replaced by a longer branch without it.
      await chain.test.revert({ id: snapshot })
      await chain.test.mine({ blocks: 3 })
      await waitFor(
        'the seller to see the cash undone',
        async () => (await s2.call('pay.overview', undefined))?.owed === (3n * PRICE).toString(),
      )
      await waitFor('the book read again', () =>
        s2.pay.seller.view(p2.address, cardId).balance === DEPOSIT ? true : null,
      )
      expect(s2.pay.seller.view(p2.address, cardId).paid).toBe(0n)

      expect(await s2.call('pay.cash', undefined)).toMatchObject({
        cheques: 1,
        amount: (3n * PRICE).toString(),
      })
      const key = { payer: p2.address, payee: s2.address, cardId }
      expect(await getPaid(chain.ctx[0]!, key)).toBe(3n * PRICE)
      const sold = (await s2.call('pay.overview', undefined))!
      expect(sold.lines.map((l) => l.cashed)).toEqual([(3n * PRICE).toString()])
      await waitFor('the payer’s ledger to agree', async () => {
        const o = (await p2.call('pay.overview', undefined))!
        return o.lines.every((l) => l.cashed === (3n * PRICE).toString())
      })
    } finally {
      await Promise.all([p2.stop(), s2.stop()])
    }
  })

  it('keeps a spent-balance stop through later cheques until a deposit; a reject lifts at once', async () => {
    const p3 = await node(await funded())
    const s3 = await node(await funded(), { priceOf: () => PRICE })
    try {
      const t = torrents[1]!
      await p3.call('pay.deposit', { amount: DEPOSIT.toString() })
      const line = await p3.pay.buyer.line(t, s3.pay.seller.terms(t)!)
      const reason = async () => (await p3.call('pay.overview', undefined))?.stopped?.reason
      await line.onSliceVerified()
      await line.settled() // a cheque signed ahead is recorded behind
      p3.pay.buyer.stopped(t, { code: 'over_balance', value: 0n })
      expect(await reason()).toBe('balance')
      // Another seeder may still take a cheque, but the book is spent: the notice stays.
      await line.onSliceVerified()
      await line.settled() // a cheque signed ahead is recorded behind
      expect(await reason()).toBe('balance')
      await p3.call('pay.deposit', { amount: PRICE.toString() })
      await waitFor('the deposit to lift the stop', async () => (await reason()) === undefined)

      p3.pay.buyer.stopped(t, { code: 'bad_signature', value: 0n })
      expect(await reason()).toBe('rejected')
      await line.onSliceVerified()
      await line.settled() // a cheque signed ahead is recorded behind
      expect(await reason()).toBeUndefined()
    } finally {
      await Promise.all([p3.stop(), s3.stop()])
    }
  })
})
