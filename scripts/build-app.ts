import { readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json']

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => null)
  if (!s) return 0
  if (!s.isDirectory()) return s.mtimeMs
  const entries = await readdir(path)
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))))
  return Math.max(s.mtimeMs, ...times)
}

/**
 * Builds the app into `dist/` with Vite unless the build is newer than every source, so
 * `npm start` on a fresh clone builds once and restarts are instant.
 */
export async function ensureAppBuilt(log: (msg: string) => void = console.log): Promise<string> {
  const outDir = join(root, 'dist')
  const built = await newestMtime(join(outDir, 'index.html'))
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(root, s))))))
  if (built > sources) return outDir
  log('building the app…')
  const { build } = await import('vite')
  await build({ root, logLevel: 'warn', configFile: join(root, 'vite.config.ts') })
  return outDir
}
