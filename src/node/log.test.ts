import { describe, expect, it } from 'vitest'
import { format } from './log.ts'

describe('format', () => {
  it('fills %s and %d in order and passes the rest on', () => {
    const extra = { k: 1 }
    expect(format('piece %d from %s', [7, 'peer', extra])).toEqual(['piece 7 from peer', extra])
  })
  it('leaves a placeholder without an argument as written', () => {
    expect(format('%s and %s', ['one'])).toEqual(['one and %s'])
  })
})
