/**
 * Card fields are untrusted (DESIGN §6): rendered as text everywhere, never as markup. Cards of
 * every kind are posted on-chain with hostile markup in every text field the codec carries
 * (title, text, tags, lang, excerpt, content name, type and cipher, site entry and fallback),
 * plus a hostile comment, and every view that shows cards is opened: each lens, the card page
 * with its comments, the creator's profile, the viewers and the embed. The markup carries
 * `data-pwn` on each element, so an element that came from a card is found whatever the CSP
 * would have done with its scripts; scripts and handlers call `pwned()` or `alert()`.
 */
import { expect, type Page, test } from '@playwright/test'
import { toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CARD_KINDS, type Card, cardIdOf, encodeCard } from '../src/shared/card/card.ts'
import { lensOfKind } from '../src/shared/card/feed.ts'
import { cardIn, postRawCard } from './people.ts'
import { go, openNodes, useStack } from './stack.ts'

const stack = useStack(test)
/** The account postRawCard posts from (anvil's second). */
const CREATOR = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
).address.toLowerCase()

const html = (tag: string) =>
  `<${tag} data-pwn onerror="pwned()" onload="pwned()" src="x">${tag}</${tag}>`
const TITLE = `${html('b')}<img data-pwn src=x onerror="pwned()"><script data-pwn>pwned()</script>`
const TEXT = `${html('i')}<iframe data-pwn srcdoc="<script>parent.pwned()</script>"></iframe><svg data-pwn onload="alert(1)"></svg>{@html '<b data-pwn>'}<a data-pwn href="javascript:pwned()">link</a>`
const SHORT = '<b data-pwn>t</b>' // fits a tag (32) or the cipher (32)
const hex = (n: number, fill: number) => toHex(new Uint8Array(n).fill(fill))

function hostileCard(kind: Card['kind'], i: number): Card {
  return {
    v: 1,
    kind,
    title: `${kind} ${TITLE}`,
    text: TEXT,
    tags: [SHORT, `<i data-pwn>${i}</i>`],
    lang: '"><b data-pwn>l</b>',
    createdAt: Math.floor(Date.now() / 1000) - i,
    preview: { excerpt: `${html('u')}${TEXT}`.slice(0, 280) },
    ...(kind === 'post'
      ? {}
      : {
          content: {
            contentRoot: hex(32, i + 1),
            name: `${html('s')}.mp4`,
            mime: 'text/html"><b data-pwn>m</b>',
            size: 1000,
            sliceSize: 65536,
            contentSalt: hex(16, i + 1),
            cipher: SHORT,
          },
        }),
    access: { free: true, key: hex(32, 9) },
    ...(kind === 'site'
      ? { site: { entry: `${html('b')}.html`, fallback: '<b data-pwn>f</b>' } }
      : {}),
  }
}

/** Fails when the page holds an element from a card or a script from one ran. */
async function expectNoMarkup(page: Page, where: string): Promise<void> {
  const found = await page.evaluate(() => {
    const inFrames = [...document.querySelectorAll('iframe')].flatMap((f) => {
      try {
        return [...(f.contentDocument?.querySelectorAll('[data-pwn]') ?? [])]
      } catch {
        return [] // another origin: not the app's document
      }
    })
    return {
      elements: document.querySelectorAll('[data-pwn]').length + inFrames.length,
      pwned: (window as unknown as { __pwned: number }).__pwned,
    }
  })
  expect(found, where).toEqual({ elements: 0, pwned: 0 })
}

test('hostile markup in every card field is shown as text in every view', async ({ browser }) => {
  test.setTimeout(240_000)
  const s = stack()
  // Every kind but `profile`, whose fields are its own (e2e/ux.spec.ts posts a hostile bio).
  const kinds = CARD_KINDS.filter((k) => k !== 'profile')
  const cards = kinds.map((k, i) => encodeCard(hostileCard(k, i)))
  const ids = cards.map((c) => cardIdOf(c))
  for (const c of cards) await postRawCard(s, toHex(c))
  const parent = ids[0] as `0x${string}`
  const comment = encodeCard({
    v: 1,
    kind: 'post',
    title: `comment ${TITLE}`,
    text: `comment ${TEXT}`,
    tags: [],
    createdAt: Math.floor(Date.now() / 1000),
    parent,
    access: { free: true },
  })
  await postRawCard(s, toHex(comment))

  const [n] = await openNodes(browser, s, 1, '/feed/posts')
  const page = n!.page
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await page.addInitScript(() => {
    const w = window as unknown as { __pwned: number; pwned: () => void }
    w.__pwned = 0
    w.pwned = () => {
      w.__pwned++
    }
  })
  await page.reload()

  // The feed: every lens, each card's title as text.
  await expect(cardIn(page, parent).getByTestId('card-title')).toHaveText(`post ${TITLE}`, {
    timeout: 30_000,
  })
  await expectNoMarkup(page, '/feed/posts')
  await go(page, '/feed/all')
  await expect(page.locator('body')).toContainText(TITLE, { timeout: 15_000 })
  await expectNoMarkup(page, '/feed/all')
  for (const [i, kind] of kinds.entries()) {
    const lens = lensOfKind(kind)
    await go(page, `/feed/${lens}`)
    await expect(cardIn(page, ids[i] as string)).toBeVisible({ timeout: 15_000 })
    await expectNoMarkup(page, `/feed/${lens}`)
  }
  // A search for the markup itself.
  await go(page, '/feed/all')
  const search = page.getByRole('searchbox')
  if (await search.count()) {
    await search.first().fill('<script')
    await expectNoMarkup(page, 'search')
  }

  // The card page with its comment, the profile, each viewer and the embed.
  const views = [
    `/card/${parent}`,
    `/profile/${CREATOR}`,
    ...ids.flatMap((id) => [`/card/${id}`, `/embed/${id}`]),
    `/watch/${ids[kinds.indexOf('video')]}`,
    `/photo/${ids[kinds.indexOf('image')]}`,
    `/read/${ids[kinds.indexOf('doc')]}`,
    `/play/${ids[kinds.indexOf('audio')]}`,
    `/site/${ids[kinds.indexOf('site')]}/`,
  ]
  for (const path of views) {
    await go(page, path) // in-app, as a click goes: the node keeps running
    // Each view names the card; a site's frame opens only on the app's own host (not here).
    const shown = path.startsWith('/site/') ? 'hashcard.localhost' : TITLE
    await expect(page.locator('body')).toContainText(shown, { timeout: 15_000 })
    await expectNoMarkup(page, path)
  }
  await go(page, `/card/${parent}`)
  // A comment shows as a reply row: its text, as text.
  await expect(page.getByTestId('comments-list')).toContainText(`comment ${TEXT}`, {
    timeout: 15_000,
  })
  await expectNoMarkup(page, 'comment')
  expect(dialogs).toEqual([])
  await n!.context.close()
})
