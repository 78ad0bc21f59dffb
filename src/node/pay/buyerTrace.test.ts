import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableLogging } from '../log.ts'
import { BuyerTrace, type TraceSource } from './buyerTrace.ts'

afterEach(() => {
  enableLogging(null)
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** A wire whose counted pieces and requests the test sets. */
function source(): TraceSource & { wire: Set<number>; open: Set<number>; credit4: number } {
  const s = {
    wire: new Set<number>(),
    open: new Set<number>(),
    credit4: 4,
    peerId: () => 'peer0000',
    onWire: () => s.wire,
    blocksOut: () => s.wire.size * 4,
    counted: () => s.open,
    credit: () => s.credit4,
  }
  return s
}

describe('BuyerTrace', () => {
  it('gathers nothing unless hashcard:pay:trace is on', () => {
    expect(BuyerTrace.start(source())).toBe(null)
  })

  it('splits the counted pieces into on the wire, checking and awaiting their cheque', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] })
    enableLogging('hashcard:pay:trace')
    const lines: string[] = []
    vi.spyOn(console, 'debug').mockImplementation((m: string) => void lines.push(m))
    const s = source()
    const trace = BuyerTrace.start(s) as BuyerTrace
    // Four pieces counted, at the credit: 0 and 1 on the wire, 2 all in, 3 checked.
    for (const i of [0, 1, 2, 3]) {
      trace.request(i)
      s.open.add(i)
    }
    s.wire = new Set([0, 1])
    vi.advanceTimersByTime(20)
    trace.block(2)
    trace.block(3)
    vi.advanceTimersByTime(30)
    trace.checked(3)
    trace.ask(false)
    trace.ask(true)
    vi.advanceTimersByTime(50)
    s.open.delete(3)
    trace.settled(3)
    vi.advanceTimersByTime(4_900)
    // 500 samples: 0 and 1 on the wire throughout; 2 waiting for its check throughout, 3 for
    // 5 samples, then 5 awaiting its cheque; 4 counted (the credit) for the first 10.
    const report = lines.find((l) => l.includes('counted:'))
    expect(report).toContain('wire 2.00, check 1.01, cheque 0.01 (mean of 500 samples')
    expect(report).toContain('at the credit 2.0%')
    expect(report).toContain('blocks out 8.00')
    // Piece 3: request → last block 20 ms, → checked 30 ms, → cheque 50 ms.
    expect(report).toContain('per piece (1) ms median/p90: request→last block 20.0/20.0')
    expect(report).toContain('last block→checked 30.0/30.0, checked→cheque 50.0/50.0')
    expect(report).toContain('new-piece asks 1 allowed, 1 held back')
    expect(lines).toContain('hashcard:pay:trace credit 4, 10 ms after the first request')
    trace.stop()
  })
})
