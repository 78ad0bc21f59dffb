import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  abiDigest,
  abiModulePath,
  appContracts,
  compileContracts,
  compileSolidity,
  contractSources,
} from '../../scripts/chain/compile.ts'
import { cardRegistryAbi, chequebookAbi, keyMarketAbi } from '../../src/node/chain/abi.ts'

describe('compile', () => {
  it('the committed ABI module matches contracts/*.sol', async () => {
    const before = await readFile(abiModulePath, 'utf8')
    const artifacts = await compileSolidity({ files: await contractSources() })
    expect(before).toContain(`// abi-digest: ${abiDigest(artifacts)}\n`)
    const committed = { cardRegistryAbi, keyMarketAbi, chequebookAbi }
    for (const [contract, exportName] of Object.entries(appContracts)) {
      expect(committed[exportName]).toEqual(artifacts[contract]?.abi)
    }
  })

  it('compiles the three contracts with bytecode, from the cache the second time', async () => {
    const t0 = performance.now()
    const a = await compileContracts()
    const t1 = performance.now()
    const b = await compileContracts()
    const t2 = performance.now()
    for (const name of ['CardRegistry', 'KeyMarket', 'Chequebook']) {
      expect(a[name]?.bytecode).toMatch(/^0x[0-9a-f]{200,}$/)
      // EIP-170: deployable code is at most 24,576 bytes.
      expect((a[name]!.deployedBytecode.length - 2) / 2).toBeLessThanOrEqual(24_576)
    }
    expect(b).toEqual(a)
    expect(t2 - t1).toBeLessThan(Math.max(200, t1 - t0))
  })

  it('reports Solidity errors', async () => {
    await expect(
      compileSolidity({ files: ['contracts/test/Broken.sol.txt'] }),
    ).rejects.toMatchObject({
      name: 'SolidityCompileError',
      message: expect.stringContaining('ParserError'),
    })
  })
})
