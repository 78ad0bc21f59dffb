/**
 * The UI draws its icons as inline SVG (Icon.svelte): an emoji or pictograph in a component
 * would depend on the system's emoji font (issue #18). This scans every component for one.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ICONS } from './icons.ts'

const UI = join(import.meta.dirname, '..')

function components(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? components(join(dir, e.name))
      : e.name.endsWith('.svelte')
        ? [join(dir, e.name)]
        : [],
  )
}

describe('icons', () => {
  it('no component shows an emoji or pictograph', () => {
    const found = components(UI).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\p{Extended_Pictographic}/u.test(line)
            ? [`${file.slice(UI.length + 1)}:${i + 1}: ${line.trim()}`]
            : [],
        ),
    )
    expect(found).toEqual([])
  })

  it('every icon is a path inside the 24×24 box', () => {
    for (const [name, d] of Object.entries(ICONS)) {
      expect(d, name).toMatch(/^M[\d. ,a-zA-Z-]+$/)
      const numbers = d.match(/-?\d+(\.\d+)?/g)!.map(Number)
      expect(Math.max(...numbers), name).toBeLessThanOrEqual(24)
    }
  })
})
