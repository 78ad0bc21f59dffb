import { describe, expect, it } from 'vitest'
import { BaseError } from './base.ts'
import { registerAllErrors } from './registry.ts'
import { deserializeError, serializeError } from './wire.ts'

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./*.test.ts'], {
  eager: true,
})
const classes = Object.entries(modules).flatMap(([file, mod]) =>
  Object.entries(mod)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof BaseError)
    .map(([name, cls]) => ({ file, name, cls: cls as typeof BaseError })),
)

describe('the error family', () => {
  registerAllErrors()

  it('finds the classes of every domain file', () => {
    expect(classes.length).toBeGreaterThan(50)
    expect(new Set(classes.map((c) => c.name)).size).toBe(classes.length)
  })

  for (const { file, name, cls } of classes)
    it(`${name} (${file}) has its literal name and survives postMessage`, () => {
      const err = new cls('Short.', { details: 'more' })
      expect(err.name).toBe(name)
      const back = deserializeError(structuredClone(serializeError(err)))
      expect(back).toBeInstanceOf(cls)
      expect(back).toMatchObject({ name, shortMessage: 'Short.', details: 'more' })
    })

  it('keeps an unknown sender name on a plain BaseError', () => {
    const back = deserializeError({ name: 'SomethingNewError', shortMessage: 'x' })
    expect(back.constructor).toBe(BaseError)
    expect(back.name).toBe('SomethingNewError')
  })
})
