/**
 * `npm run bench -- pay` (issue 16), the figures that stand without the wire integration:
 * - `cash_one_gas` and `cash_batch_gas_per_cheque` (20 cheques of lines cashed before, one
 *   payee, sorted by card, as a cash-out sends them), from receipts on a fresh anvil, and
 *   `cash_batch_first_gas_per_cheque` for 20 lines never cashed (their first storage writes);
 * - `cheque_verify_per_s` in a Chromium dedicated worker (src/node/pay/cheques.ts);
 * - `pay_codec_bytes_ratio`: one cheque message as the wire carries it (hc_pay codec plus the
 *   BEP-10 extended-message header) per 256 KiB slice. hc_pay does not run on the swarm's wires
 *   yet, so this is the codec's size, not bytes counted on a transfer.
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
import { encodePayMessage, SIGNATURE_BYTES } from '../src/node/pay/wire.ts'
import { runWorkerInChromium } from './_browser/runInChromium.ts'
import type { BenchOptions, BenchRow } from './lib.ts'

/** BEP-10 extended message: 4-byte length, message id 20, the extension's id. */
const BEP10_HEADER_BYTES = 6

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const rows = await gas(log)
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
  rows.push({
    name: 'cheque_verify_per_s',
    value: Math.round(rates[ROUNDS >> 1] as number),
    unit: '/s',
  })
  // The largest cheque the codec writes: a cumulative near its 96-bit ceiling.
  const msg = encodePayMessage({
    type: 'cheque',
    cumulative: 2n ** 95n,
    signature: new Uint8Array(SIGNATURE_BYTES).fill(1),
  })
  const perSlice = msg.length + BEP10_HEADER_BYTES
  log(`a cheque is ${msg.length} bytes, ${perSlice} with the BEP-10 header`)
  rows.push({ name: 'pay_codec_bytes_ratio', value: perSlice / DEFAULT_SLICE_SIZE, unit: 'ratio' })
  return rows
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
