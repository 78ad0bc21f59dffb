/**
 * Where the CPU goes during a transfer (BENCH_THREADS=1 in the stream bench): per-thread CPU
 * time of every Chromium process, from /proc, and the machine's busy and idle time. Threads
 * are keyed by process and thread name (`pid type/thread`), the same names summed.
 */
import { readdirSync, readFileSync } from 'node:fs'

export type CpuSnapshot = { threads: Map<string, number>; busy: number; idle: number }

/** clock ticks → seconds (USER_HZ is 100 on Linux). */
const HZ = 100

function statFields(stat: string): { comm: string; f: string[] } {
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    f: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const threads = new Map<string, number>()
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      if (!/chrom/i.test(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8')).comm)) continue
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser'
      const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1]?.split('.').pop()
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const { comm, f } = statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'))
        const key = `${pid} ${type}${sub ? `:${sub}` : ''}/${comm}`
        threads.set(key, (threads.get(key) ?? 0) + Number(f[11]) + Number(f[12]))
      }
    } catch {
      // the process or thread ended meanwhile
    }
  }
  const t = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const idle = (t[3] ?? 0) + (t[4] ?? 0)
  return { threads, busy: t.reduce((a, b) => a + b, 0) - idle, idle }
}

/** The busiest threads between two snapshots, and the machine's busy and idle seconds. */
export function cpuReport(a: CpuSnapshot, b: CpuSnapshot, top = 12): string {
  const d = [...b.threads]
    .map(([k, v]) => [k, v - (a.threads.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1])
  const all = d.reduce((s, [, v]) => s + v, 0)
  return [
    `machine: busy ${((b.busy - a.busy) / HZ).toFixed(2)} s, idle ${((b.idle - a.idle) / HZ).toFixed(2)} s; Chromium threads ${(all / HZ).toFixed(2)} s`,
    ...d.slice(0, top).map(([k, v]) => `${(v / HZ).toFixed(2).padStart(7)} s  ${k}`),
  ].join('\n')
}
