/**
 * `npm run bench -- gas`: gas used (from receipts) by each contract operation on a fresh anvil,
 * beside its target (DESIGN §8). Cards are JSON-like text, as real cards are.
 */
import { type Account, createTestClient, type Hex, hexToBytes, http, toHex } from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { startAnvil } from '../scripts/chain/anvil.ts'
import { deployContracts } from '../scripts/chain/deploy.ts'
import { buyKey } from '../src/node/chain/buyKey.ts'
import { cashCheque } from '../src/node/chain/cashCheque.ts'
import { signCheque } from '../src/node/chain/cheque.ts'
import { type ChainContext, createChainClients } from '../src/node/chain/clients.ts'
import { deliverKey } from '../src/node/chain/deliverKey.ts'
import { depositToChequebook } from '../src/node/chain/depositToChequebook.ts'
import { followCreator } from '../src/node/chain/followCreator.ts'
import { listCard } from '../src/node/chain/listCard.ts'
import { postCard } from '../src/node/chain/postCard.ts'
import { reactToCard } from '../src/node/chain/reactToCard.ts'
import { transferKey } from '../src/node/chain/transferKey.ts'
import type { BenchOptions, BenchRow } from './lib.ts'

/** Targets from issue 4, in gas. */
const targets: Record<string, number> = {
  post_card_2k: 80_000,
  buy_next: 120_000,
  deliver: 70_000,
  cash_next: 70_000,
  react: 35_000,
  follow: 35_000,
}

const DEV_MNEMONIC = 'test test test test test test test test test test test junk'

function card(bytes: number, n: number): Hex {
  const head = `{"v":1,"kind":"post","title":"Benchmark card ${n}","tags":["bench"],"text":"`
  const words = 'The quick brown fox jumps over the lazy dog; streams, slices and cheques. '
  const text = (head + words.repeat(Math.ceil(bytes / words.length))).slice(0, bytes - 2)
  return toHex(new TextEncoder().encode(`${text}"}`))
}

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const rows = await measureAll(signal, log)
  // The same 2 KiB post under Cancun, before EIP-7623's calldata floor: what the contract
  // itself costs, and how far the target is from the rules the chain runs today.
  const cancun = await postCard2k({ signal, hardfork: 'cancun' })
  rows.push({ name: 'post_card_2k_cancun', value: Number(cancun), unit: 'gas' })
  log(`post_card_2k under Cancun rules: ${cancun}`)
  return rows
}

async function postCard2k({
  signal,
  hardfork,
}: {
  signal: AbortSignal
  hardfork: string
}): Promise<bigint> {
  const anvil = await startAnvil({ signal, hardfork })
  try {
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
    const creator = {
      ...createChainClients({
        rpcUrl: anvil.rpcUrl,
        chainId: anvil.chainId,
        account: mnemonicToAccount(DEV_MNEMONIC),
        pollingInterval: 20,
      }),
      contracts: deployed,
    }
    return (await postCard(creator, { card: card(2048, 2), signal })).receipt.gasUsed
  } finally {
    await anvil.stop()
  }
}

async function measureAll(signal: AbortSignal, log: (msg: string) => void): Promise<BenchRow[]> {
  const anvil = await startAnvil({ signal })
  try {
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
    log(`anvil ${anvil.rpcUrl}, contracts deployed at block ${deployed.deployBlock}`)
    const contracts = {
      cardRegistry: deployed.cardRegistry,
      keyMarket: deployed.keyMarket,
      chequebook: deployed.chequebook,
    }
    const ctxFor = (account: Account): ChainContext => ({
      ...createChainClients({
        rpcUrl: anvil.rpcUrl,
        chainId: anvil.chainId,
        account,
        pollingInterval: 20,
      }),
      contracts,
    })
    const dev = (i: number) =>
      ctxFor(
        mnemonicToAccount(DEV_MNEMONIC, {
          addressIndex: i,
        }),
      )
    const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) })
    const creator = dev(0)
    const agent = dev(1)
    const payee = dev(2)
    // Buyers and payers are fresh accounts: no earlier storage warms their slots.
    const fresh = async (): Promise<ChainContext> => {
      const ctx = ctxFor(privateKeyToAccount(generatePrivateKey()))
      await testClient.setBalance({ address: ctx.account.address, value: 10n ** 20n })
      return ctx
    }
    const rows: BenchRow[] = []
    const measure = (name: string, gas: bigint): void => {
      const target = targets[name]
      rows.push({
        name,
        value: Number(gas),
        unit: 'gas',
        ...(target ? { baseline: `${name}_target` } : {}),
      })
      if (target) rows.push({ name: `${name}_target`, value: target, unit: 'gas' })
      log(`${name}: ${gas}${target ? ` (target ${target})` : ''}`)
    }

    signal.throwIfAborted()
    measure(
      'post_card_200b',
      (await postCard(creator, { card: card(200, 1), signal })).receipt.gasUsed,
    )
    const posted = await postCard(creator, { card: card(2048, 2), signal })
    measure('post_card_2k', posted.receipt.gasUsed)
    // EIP-7623 (Prague): a transaction pays at least 21,000 + 10 gas per calldata token
    // (zero byte = 1 token, other byte = 4). No contract can post these bytes for less.
    const input = hexToBytes(
      (await creator.publicClient.getTransaction({ hash: posted.hash })).input,
    )
    const tokens = input.reduce((sum, b) => sum + (b === 0 ? 1 : 4), 0)
    rows.push({ name: 'post_card_2k_calldata_floor', value: 21_000 + 10 * tokens, unit: 'gas' })
    const { cardId } = posted
    const listing = await listCard(creator, {
      cardId,
      price: 10n ** 16n,
      supply: 0,
      royaltyBps: 500,
      transferFee: 10n ** 14n,
      keyAgent: agent.account.address,
      signal,
    })
    measure('list', listing.receipt.gasUsed)
    const buyer1 = await fresh()
    const first = await buyKey(buyer1, { cardId, wrapPub: `0x${'11'.repeat(32)}`, signal })
    measure('buy_first', first.receipt.gasUsed)
    const buyer2 = await fresh()
    const next = await buyKey(buyer2, { cardId, wrapPub: `0x${'22'.repeat(32)}`, signal })
    measure('buy_next', next.receipt.gasUsed)
    await deliverKey(agent, {
      tokenId: first.tokenId,
      wrappedKey: toHex(new Uint8Array(100).fill(0xa5)),
      signal,
    })
    const delivered = await deliverKey(agent, {
      tokenId: next.tokenId,
      // HPKE output looks random: 100 non-zero bytes, fixed so runs compare.
      wrappedKey: toHex(Uint8Array.from({ length: 100 }, (_, i) => ((i * 37 + 11) % 255) + 1)),
      signal,
    })
    measure('deliver', delivered.receipt.gasUsed)
    const moved = await transferKey(buyer1, {
      tokenId: first.tokenId,
      to: buyer2.account.address,
      signal,
    })
    measure('transfer_with_fee', moved.receipt.gasUsed)

    const payer = await fresh()
    measure(
      'deposit',
      (await depositToChequebook(payer, { value: 10n ** 18n, signal })).receipt.gasUsed,
    )
    const base = { payer: payer.account.address, payee: payee.account.address, cardId }
    const cheque1 = { ...base, cumulative: 10n ** 12n }
    const sig1 = await signCheque(payer, { chequebook: deployed.chequebook, cheque: cheque1 })
    measure(
      'cash_first',
      (await cashCheque(payee, { cheque: cheque1, signature: sig1, signal })).receipt.gasUsed,
    )
    const cheque2 = { ...base, cumulative: 2n * 10n ** 12n }
    const sig2 = await signCheque(payer, { chequebook: deployed.chequebook, cheque: cheque2 })
    measure(
      'cash_next',
      (await cashCheque(payee, { cheque: cheque2, signature: sig2, signal })).receipt.gasUsed,
    )

    const fan = await fresh()
    measure('react', (await reactToCard(fan, { cardId, kind: 1, signal })).receipt.gasUsed)
    measure(
      'follow',
      (await followCreator(fan, { creator: creator.account.address, signal })).receipt.gasUsed,
    )
    return rows
  } finally {
    await anvil.stop()
  }
}
