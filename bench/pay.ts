/**
 * `npm run bench -- pay` (issue 16):
 * - `cash_one_gas` and `cash_batch_gas_per_cheque` (20 cheques of lines cashed before, one
 *   payee, sorted by card, as a cash-out sends them), from receipts on a fresh anvil, and
 *   `cash_batch_first_gas_per_cheque` for 20 lines never cashed (their first storage writes);
 * - `cheque_verify_per_s` in a Chromium dedicated worker (src/node/pay/cheques.ts);
 * - `pay_codec_bytes_ratio`: what the codec spends per 256 KiB slice once a wire is paying:
 *   a `next` cheque plus the BEP-10 framing (the first cheque on a wire goes whole, up to 84
 *   bytes, and is logged);
 * - on the real wire (bench/_payWire.ts: app pages in Chromium, a real anvil, relay and
 *   tracker, the flow of e2e/pay.spec.ts), one seeder tab and one leecher tab in separate
 *   browsers, BENCH_PAY_XFER_MIB (default 64) MiB of random bytes on a free card, in
 *   BENCH_ROUNDS (default 3) rounds of a paid leg (the seeder charges 10^14 wei per slice, the
 *   leecher pays with cheques over `hc_pay`) and a free leg (price 0, the same code path
 *   without cheques), at the default credit (2 slices on a new wire, growing by one per slice
 *   paid: src/node/pay/credit.ts), in alternating order, each leg a fresh leecher (browser,
 *   profile, identity, deposit):
 *   - `xfer_paid_mbps` and `xfer_free_mbps`, medians of the legs' MB/s (10^6 bytes) from the
 *     first slice to complete, polled every 100 ms as bench/stream.ts's xfer_swarm;
 *     `xfer_paid_vs_free` the ratio of the two medians (target ≥ 0.95);
 *   - `pay_bytes_ratio`: `hc_pay` bytes the payer and the seeder sent during a paid leg
 *     (terms, hello, cheques, receipts, with BEP-10's 6-byte framing; counted in the node,
 *     `swarm.status` payBytes) over the data bytes the leecher received; median of the paid
 *     legs (target ≤ 3 × 10⁻⁴);
 *   - `paid_to_visible_ms`: from the leecher's last slice (complete, its clock) to the
 *     seeder's Earnings view (`/earnings`, open all along) showing the new earned total (a
 *     MutationObserver, the seeder's clock), both as timeOrigin + now; median of the paid
 *     legs (target ≤ 1,000).
 * BENCH_PAY_ONLY=gas,verify,codec,wire (comma-separated) runs only those parts (for tuning).
 * BENCH_PAY_PROFILE=dir writes CPU profiles of each tab's page and node worker per leg (bench/_cpuProfile.ts).
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { makeCard, setupChain } from '../contracts/test/setup.ts'
import { cashCheque } from '../src/node/chain/cashCheque.ts'
import { cashChequeBatch } from '../src/node/chain/cashChequeBatch.ts'
import { type Cheque, signCheque } from '../src/node/chain/cheque.ts'
import { type ChainContext, createChainClients } from '../src/node/chain/clients.ts'
import { depositForChequebook } from '../src/node/chain/depositForChequebook.ts'
import { postCard } from '../src/node/chain/postCard.ts'
import { DEFAULT_SLICE_SIZE } from '../src/node/crypto/layout.ts'
import { BEP10_FRAMING_BYTES } from '../src/node/pay/extensionLink.ts'
import { encodePayMessage, SIGNATURE_BYTES } from '../src/node/pay/wire.ts'
import { runWorkerInChromium } from './_browser/runInChromium.ts'
import { wireRows } from './_payWire.ts'
import type { BenchOptions, BenchRow } from './lib.ts'

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const only = (process.env.BENCH_PAY_ONLY ?? '').split(',').filter(Boolean)
  const want = (part: string) => only.length === 0 || only.includes(part)
  const rows = want('gas') ? await gas(log) : []
  if (want('verify')) rows.push(await verifyRate(signal, log))
  if (want('codec')) rows.push(codecRatio(log))
  if (want('wire')) rows.push(...(await wireRows({ signal, log })))
  return rows
}

async function verifyRate(signal: AbortSignal, log: (m: string) => void): Promise<BenchRow> {
  const ROUNDS = 5
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const { count, ms } = await runWorkerInChromium<{ count: number; ms: number }>({
      entry: 'bench/_browser/pay.worker.ts',
      params: { payers: 8, perPayer: 250 },
      signal,
      log,
    })
    rates.push(count / (ms / 1000))
    log(`round ${r + 1}: ${count} cheques in ${ms.toFixed(0)} ms`)
  }
  rates.sort((a, b) => a - b)
  return {
    name: 'cheque_verify_per_s',
    value: Math.round(rates[ROUNDS >> 1] as number),
    unit: '/s',
  }
}

function codecRatio(log: (m: string) => void): BenchRow {
  const signature = new Uint8Array(SIGNATURE_BYTES).fill(1)
  // The largest whole cheque (a cumulative near the 96-bit ceiling), and the steady state.
  const whole = encodePayMessage({ type: 'cheque', cumulative: 2n ** 95n, signature })
  const msg = encodePayMessage({ type: 'next', slices: 1n, signature })
  const perSlice = msg.length + BEP10_FRAMING_BYTES
  log(
    `a whole cheque is at most ${whole.length + BEP10_FRAMING_BYTES} bytes framed, a next ${perSlice}`,
  )
  return { name: 'pay_codec_bytes_ratio', value: perSlice / DEFAULT_SLICE_SIZE, unit: 'ratio' }
}

async function gas(log: (m: string) => void): Promise<BenchRow[]> {
  const chain = await setupChain(4)
  try {
    const [creator, relayer, payee] = chain.ctx as [ChainContext, ChainContext, ChainContext]
    const cards = [
      (await postCard(creator, { card: makeCard('bench a') })).cardId,
      (await postCard(creator, { card: makeCard('bench b') })).cardId,
    ]
    const payers: ChainContext[] = []
    for (let i = 0; i < 20; i++) {
      const account = privateKeyToAccount(generatePrivateKey())
      payers.push({
        ...createChainClients({
          rpcUrl: chain.anvil.rpcUrl,
          chainId: chain.anvil.chainId,
          account,
          pollingInterval: 20,
        }),
        contracts: relayer.contracts,
      })
      await depositForChequebook(relayer, { payer: account.address, value: 10n ** 18n })
    }
    const batch = (round: bigint) =>
      Promise.all(
        payers.map(async (p, i) => {
          const cheque: Cheque = {
            payer: p.account.address,
            payee: payee.account.address,
            cardId: cards[i < 10 ? 0 : 1] as `0x${string}`,
            cumulative: round * 10n ** 12n + BigInt(i),
          }
          const signature = await signCheque(p, { chequebook: chain.deployed.chequebook, cheque })
          return { cheque, signature }
        }),
      )
    const first = await cashChequeBatch(payee, { entries: await batch(1n) })
    const next = await cashChequeBatch(payee, { entries: await batch(2n) })
    const one = (await batch(3n))[0] as { cheque: Cheque; signature: `0x${string}` }
    const single = await cashCheque(payee, one)
    log(
      `cash ${single.receipt.gasUsed}; batches of 20: ${first.receipt.gasUsed} then ${next.receipt.gasUsed}`,
    )
    return [
      { name: 'cash_one_gas', value: Number(single.receipt.gasUsed), unit: 'gas' },
      { name: 'cash_batch_gas_per_cheque', value: Number(next.receipt.gasUsed / 20n), unit: 'gas' },
      {
        name: 'cash_batch_first_gas_per_cheque',
        value: Number(first.receipt.gasUsed / 20n),
        unit: 'gas',
      },
    ]
  } finally {
    await chain.stop()
  }
}
