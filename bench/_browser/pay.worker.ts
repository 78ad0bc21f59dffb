/**
 * `npm run bench -- pay`, in a Chromium dedicated worker: how many cheques per second the
 * seeder's verifier (src/node/pay/cheques.ts) checks, as a node worker would: several payers,
 * each line's first cheque by public-key recovery and the rest against its cached key.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  type ChequeLine,
  createChequeVerifier,
  signChequeBytes,
} from '../../src/node/pay/cheques.ts'

type Params = { payers: number; perPayer: number }
const post = (m: unknown) => (self as unknown as Worker).postMessage(m)

self.onmessage = async (e: MessageEvent<{ type: string; params: Params }>) => {
  if (e.data?.type !== 'start') return
  try {
    const { payers, perPayer } = e.data.params
    const cheques: { line: ChequeLine; cumulative: bigint; sig: Uint8Array }[] = []
    for (let p = 0; p < payers; p++) {
      const account = privateKeyToAccount(generatePrivateKey())
      const line: ChequeLine = {
        chainId: 31337,
        chequebook: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        payer: account.address,
        payee: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        cardId: `0x${(p + 1).toString(16).padStart(64, '0')}`,
      }
      for (let i = 1; i <= perPayer; i++)
        cheques.push({
          line,
          cumulative: BigInt(i) * 1000n,
          sig: await signChequeBytes(account, line, BigInt(i) * 1000n),
        })
    }
    post({ type: 'log', message: `${cheques.length} cheques signed; verifying` })
    const verifier = createChequeVerifier()
    const checks = new Map<ChequeLine, (c: bigint, s: Uint8Array) => boolean>()
    const t0 = performance.now()
    let valid = 0
    for (const c of cheques) {
      let check = checks.get(c.line)
      if (!check) {
        check = verifier.forLine(c.line)
        checks.set(c.line, check)
      }
      if (check(c.cumulative, c.sig)) valid++
    }
    const ms = performance.now() - t0
    if (valid !== cheques.length) throw new Error(`only ${valid} of ${cheques.length} verified`)
    post({ type: 'result', value: { count: cheques.length, ms } })
  } catch (err) {
    post({ type: 'error', error: (err as Error).stack ?? String(err) })
  }
}
