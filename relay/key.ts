import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

/**
 * Loads the relay's Ed25519 key from `dataDir`, creating it on first run, so the relay keeps
 * its peer id across restarts and the tabs' stored relay address stays valid.
 */
export async function loadOrCreateKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, 'relay-key.pb')
  try {
    return privateKeyFromProtobuf(await readFile(file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = await generateKeyPair('Ed25519')
  await mkdir(dataDir, { recursive: true })
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600 })
  return key
}

/**
 * Loads the TURN server's shared secret from `dataDir`, creating it on first run, so the
 * time-limited credentials tabs already hold stay valid across a relay restart.
 */
export async function loadOrCreateTurnSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'turn-secret')
  try {
    const secret = (await readFile(file, 'utf8')).trim()
    if (secret.length >= 32) return secret
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const secret = randomBytes(32).toString('base64')
  await mkdir(dataDir, { recursive: true })
  await writeFile(file, `${secret}\n`, { mode: 0o600 })
  return secret
}
