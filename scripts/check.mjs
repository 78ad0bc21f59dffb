// `npm run check`: the four static checks at once (each alone leaves a core idle most of the
// time; serially they took ~70 s of a 2-core CI run, together ~40 s). Each check's output is
// printed whole when it ends; the exit code is non-zero when any check failed.
import { spawn } from 'node:child_process'

const checks = [
  ['tsc', '-p', 'tsconfig.json'],
  ['tsc', '-p', 'tsconfig.sw.json'],
  ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'machine'],
  ['biome', 'check', '--error-on-warnings', '.'],
]

const results = await Promise.all(
  checks.map(
    ([bin, ...args]) =>
      new Promise((resolve) => {
        const started = performance.now()
        const child = spawn(`node_modules/.bin/${bin}`, args, { stdio: ['ignore', 'pipe', 'pipe'] })
        const out = []
        child.stdout.on('data', (d) => out.push(d))
        child.stderr.on('data', (d) => out.push(d))
        child.on('error', (err) => resolve({ code: 1, text: `${err.message}\n` }))
        child.on('close', (code) => {
          const s = ((performance.now() - started) / 1000).toFixed(1)
          const head = `> ${bin} ${args.join(' ')} (${code === 0 ? 'ok' : `exit ${code}`}, ${s} s)\n`
          process.stdout.write(head + Buffer.concat(out).toString())
          resolve({ code })
        })
      }),
  ),
)
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0
