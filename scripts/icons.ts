/**
 * The manifest's PNG icons, drawn from public/icon.svg by Chromium (the one the tests use:
 * e2e/browser.ts), so no image library is needed: `npm run icons` after the SVG changes, and
 * commit the PNGs. They are committed rather than built so that `npm run build` needs no
 * browser and a build is byte-for-byte the same on every machine.
 * - icon-192.png, icon-512.png: the SVG as it is (`purpose: any`), rounded corners transparent;
 * - icon-maskable-512.png: full-bleed background, the glyph scaled into the maskable safe zone
 *   (the centred circle of radius 40 % of the size: any platform mask keeps it whole).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../e2e/browser.ts'

const pub = join(import.meta.dirname, '..', 'public')

/** How much the glyph shrinks in the maskable icon: its stroked corners (±182 px from the
 * centre of 512) land at 0.7 × 182 × √2 ≈ 180 px, inside the 204.8 px safe circle. */
export const MASKABLE_GLYPH_SCALE = 0.7

/** The maskable variant of the icon: a square background and the glyph, scaled about the centre. */
export function maskableSvg(svg: string): string {
  const glyph = /<path[^>]*\/>/.exec(svg)?.[0]
  const fill = /<rect[^>]*fill="([^"]+)"/.exec(svg)?.[1]
  if (!glyph || !fill) throw new Error('icon.svg: expected one <rect fill> and one <path/>')
  const s = MASKABLE_GLYPH_SCALE
  const t = 256 * (1 - s)
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" fill="${fill}"/><g transform="translate(${t} ${t}) scale(${s})">${glyph}</g></svg>`
}

async function main() {
  const svg = await readFile(join(pub, 'icon.svg'), 'utf8')
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    const page = await browser.newPage()
    const render = async (source: string, size: number, file: string) => {
      await page.setViewportSize({ width: size, height: size })
      const src = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}img{display:block}</style><img src="${src}" width="${size}" height="${size}">`,
      )
      await page.locator('img').evaluate((img: HTMLImageElement) => img.decode())
      await writeFile(join(pub, file), await page.screenshot({ omitBackground: true }))
      console.log(`public/${file}: ${size}×${size}`)
    }
    await render(svg, 192, 'icon-192.png')
    await render(svg, 512, 'icon-512.png')
    await render(maskableSvg(svg), 512, 'icon-maskable-512.png')
  } finally {
    await browser.close()
  }
}

await main()
