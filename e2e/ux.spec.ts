/**
 * Issue #18, the parts that make money and the first run read like an app (real Chromium tabs,
 * real anvil, relay and tracker):
 * - first run: one screen that says what Hashcard is, one primary action, no developer panel at
 *   any moment; a skipped phrase check brings a backup reminder that "Not now" hides for the
 *   session only, and that a backup file ends;
 * - money: an unfunded action says "You need test ETH to do this." with the faucet as the next
 *   step, and the note clears once funded; every spend is confirmed with what you get, the price
 *   (with the fiat estimate the person set), the fee and the balance after — cancel sends
 *   nothing, confirm sends; after a purchase the feed says "Key on its way", then "Owned" once
 *   the key arrived, and only then does the card turn to the owner's actions; the creator's
 *   sales are listed by card title;
 * - people: a profile card (posted from "Edit profile", confirmed like any spend) names its
 *   creator on their cards in another person's feed and on their profile page; a hostile bio is
 *   shown as text; a bad link is refused before anything is asked; follower counts are words
 *   ("1 follower") and the followers list shows who follows, by name or short address;
 * - activity: B follows A, likes and buys A's card; A's bell counts three unread, the sale among
 *   them while the purchase's block is at most one block old; the activity view lists the
 *   three, opening it clears the count for good (a reload keeps 0); B's wallet history shows the
 *   purchase by the card's title;
 * - install and update: the install button appears only on the browser's offer and prompts
 *   with it; a second build's Service Worker waits, "update ready" shows, Reload switches;
 * - the manifest: Chromium reads it without an error or an installability problem; its PNG
 *   icons load at their declared sizes, the maskable one full-bleed with the glyph inside the
 *   safe zone; its screenshots load at their sizes and form factors; each shortcut opens its
 *   view.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { createPublicClient, http } from 'viem'
import { keyMarketAbi } from '../src/node/chain/abi.ts'
import { isAppPath } from '../src/shared/app-paths.ts'
import { shortAddress } from '../src/ui/people/look.ts'
import { cardIn, person, publishUi } from './people.ts'
import { answerSpend } from './spend.ts'
import { go, openNodes, rpc, swControlled, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(120_000)

const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)
/** A 1×1 PNG: the paid card's file (its preview is made in the page). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

test('first run: one screen, one action, no developer panel; a skipped check is reminded until backed up', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: stack().relay.url })
  // Notes if the node's developer panel (peer id, chat) is ever in the page, even for a frame.
  await context.addInitScript(() => {
    const w = window as unknown as { __devPanel?: boolean }
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="peer-id"], [data-testid="gossip"], #chat-title'))
        w.__devPanel = true
    }).observe(document, { childList: true, subtree: true })
  })
  const devPanelSeen = (p: Page) =>
    p.evaluate(() => (window as unknown as { __devPanel?: boolean }).__devPanel === true)
  const page = await context.newPage()
  await page.goto('/')
  const first = page.getByTestId('onboarding')
  await expect(first).toBeVisible({ timeout: 30_000 })
  await expect(first.getByRole('heading', { level: 1 })).toHaveText('Hashcard')
  await expect(page.getByTestId('tagline')).toContainText('this tab is your node')
  await expect(first.locator('button.primary')).toHaveCount(1)
  await expect(page.getByTestId('create')).toHaveText('Get started')
  expect(await devPanelSeen(page)).toBe(false)

  await page.getByTestId('create').click()
  await page.getByLabel('I have written the recovery phrase down').check()
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByRole('button', { name: 'Skip the check, back up later' }).click()
  await expect(page.getByTestId('address')).toContainText('0x')
  expect(await devPanelSeen(page)).toBe(false)

  // Skipped: the reminder shows; "Not now" hides it for this session…
  await expect(page.getByTestId('backup-reminder')).toBeVisible()
  await page.getByTestId('backup-later').click()
  await expect(page.getByTestId('backup-reminder')).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('address')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('backup-reminder')).toHaveCount(0)
  // …and it is back in the next one (a new tab: sessionStorage is per tab).
  await page.close()
  const next = await context.newPage()
  await next.goto('/')
  await expect(next.getByTestId('backup-reminder')).toBeVisible({ timeout: 30_000 })

  // A backup file ends it.
  await next.getByTestId('backup-now').click()
  await expect(next.getByTestId('backup-unchecked')).toBeVisible()
  await next.getByLabel('Passphrase', { exact: true }).fill('correct horse battery')
  await next.getByLabel('Repeat passphrase').fill('correct horse battery')
  await Promise.all([
    next.waitForEvent('download'),
    next.getByRole('button', { name: 'Download backup file' }).click(),
  ])
  await expect(next.getByTestId('backup-unchecked')).toHaveCount(0, { timeout: 30_000 })
  await go(next, '/')
  await expect(next.getByTestId('address')).toBeVisible()
  await expect(next.getByTestId('backup-reminder')).toHaveCount(0)
  await context.close()
})

test('money: funds first, a confirmed spend, Owned once the key arrived, sales by title', async ({
  browser,
}) => {
  const chain = createPublicClient({ transport: http(stack().rpcUrl) })
  const [a, b] = await openNodes(browser, stack(), 2, '/node')
  // A: a funded creator. B: an identity with no ETH yet.
  await person(a!.page, mnemonic(0x71))
  await a!.page.goto('/feed')
  await waitForStatus(b!.page, (s) => s.relay.state === 'connected')
  const { address } = await rpc<{ address: `0x${string}` }>(b!.page, 'identity.restore', {
    mnemonic: mnemonic(0x72),
  })
  const nonceB = () => chain.getTransactionCount({ address })

  const hello = await publishUi(a!.page, { title: 'Hello B', text: 'A first post' })
  const paid = await publishUi(a!.page, {
    title: 'Harbour at dusk',
    file: ['dusk.png', 'image/png', PNG],
    price: '0.01',
  })

  // B, unfunded, likes the post: one plain sentence and the next step, nothing asked or sent.
  await b!.page.goto('/feed')
  const post = cardIn(b!.page, hello)
  await post.getByTestId('react').click({ timeout: 30_000 })
  const note = post.getByTestId('error-note')
  await expect(note).toContainText('You need test ETH to do this.')
  await expect(note).not.toContainText('gas')
  await expect(b!.page.locator('dialog[data-testid="spend-confirm"][open]')).toHaveCount(0)
  expect(await nonceB()).toBe(0)
  // "Get test ETH": once the balance rises the note goes away by itself.
  await note.getByTestId('error-faucet').click()
  await expect(note).toHaveCount(0, { timeout: 30_000 })
  await expect(b!.page.getByTestId('balance')).toContainText('10 ETH')

  // The person sets a fiat rate; amounts show the estimate beside the ether.
  await go(b!.page, '/wallet')
  await b!.page.getByTestId('fiat-currency').fill('EUR')
  await b!.page.getByTestId('fiat-rate').fill('2000')
  await b!.page.getByTestId('fiat-save').click()
  await expect(b!.page.getByTestId('balance')).toContainText('≈ €20,000.00')

  // The like, confirmed: what you get, no price, a fee, the balance after.
  await go(b!.page, '/feed')
  await cardIn(b!.page, hello).getByTestId('react').click()
  const dialog = b!.page.locator('dialog[data-testid="spend-confirm"][open]')
  await expect(dialog.getByTestId('spend-action')).toHaveText('React')
  await expect(dialog.getByTestId('spend-what')).toHaveText('Your like on “Hello B”')
  await expect(dialog.getByTestId('spend-price')).toContainText('only the fee')
  await expect(dialog.getByTestId('spend-fee')).toContainText(/about 0\.0\d* ETH/)
  await expect(dialog.getByTestId('spend-after')).toContainText(/\d ETH\s≈\s€/)
  await answerSpend(b!.page)
  await expect(cardIn(b!.page, hello).getByTestId('reactions')).toHaveText('1', { timeout: 15_000 })
  expect(await nonceB()).toBe(1)

  // A's tab closes: its key agent is offline, so B's key waits.
  await a!.page.close()

  // The purchase: Cancel sends nothing.
  await go(b!.page, `/card/${paid}`)
  await expect(b!.page.getByTestId('card-price')).toHaveText('0.01 ETH ≈ €20.00', {
    timeout: 30_000,
  })
  await b!.page.getByTestId('buy').click({ timeout: 30_000 })
  await expect(dialog.getByTestId('spend-what')).toHaveText('A key to “Harbour at dusk”')
  await expect(dialog.getByTestId('spend-price')).toHaveText('0.01 ETH ≈ €20.00')
  await expect(dialog.getByTestId('spend-after')).toContainText('9.98')
  await answerSpend(b!.page, { ok: false })
  await expect(b!.page.getByTestId('card-access').getByTestId('error-note')).toHaveText(
    'Cancelled: nothing was sent.',
  )
  expect(await nonceB()).toBe(1)
  expect((await rpc<{ cards: unknown[] }>(b!.page, 'keys.owned')).cards).toEqual([])

  // Confirm sends: the key is bought and waits for the creator's agent.
  await b!.page.getByTestId('buy').click()
  await answerSpend(b!.page)
  await expect(b!.page.getByTestId('key-pending')).toBeVisible({ timeout: 15_000 })
  expect(await nonceB()).toBe(2)
  // Not the owner's area yet: no Play, no transfer or resale.
  const access = b!.page.getByTestId('card-access')
  await expect(access.getByTestId('play')).toHaveCount(0)
  await expect(access.locator('form')).toHaveCount(0)
  await go(b!.page, '/feed')
  await expect(cardIn(b!.page, paid).getByTestId('key-coming')).toBeVisible({ timeout: 15_000 })
  await expect(cardIn(b!.page, paid).getByTestId('owned')).toHaveCount(0)

  // A is back; its agent delivers: the feed says Owned, the card turns to the owner's.
  const back = await a!.context.newPage()
  await back.goto('/node')
  await expect(cardIn(b!.page, paid).getByTestId('owned')).toBeVisible({ timeout: 45_000 })
  await go(b!.page, `/card/${paid}`)
  await expect(access.getByTestId('play')).toBeVisible({ timeout: 15_000 })
  await expect(access.locator('[data-state="ready"] form')).toHaveCount(2)
  await expect(b!.page.getByTestId('card-price')).toHaveCount(0)

  // A's wallet lists the sale by the card's title.
  await back.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Wallet' }).click({
    timeout: 30_000,
  })
  await expect(back.getByTestId('sale-title')).toHaveText('Harbour at dusk', { timeout: 30_000 })
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('people: a profile names its creator on cards and on the profile page; the bio is text; "1 follower"', async ({
  browser,
}) => {
  const [a, b] = await openNodes(browser, stack(), 2, '/node')
  const [addrA, addrB] = await Promise.all([
    person(a!.page, mnemonic(0x73)),
    person(b!.page, mnemonic(0x74)),
  ])
  const { cardId } = await rpc<{ cardId: string }>(a!.page, 'feed.publish', {
    jobId: 'people-post',
    draft: { kind: 'post', title: 'Hello from A', tags: [], access: { free: true } },
  })

  // In-app navigation from here (a reload would restart the node): the pages learn of the
  // identities restored through the RPC.
  const known = (p: Page) =>
    p.evaluate(() =>
      (
        globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
      ).hashcard.node.refreshIdentity(),
    )
  await Promise.all([known(a!.page), known(b!.page)])

  // A edits its profile: a javascript: link is refused before anything is asked.
  await go(a!.page, `/profile/${addrA}`)
  await a!.page.getByTestId('edit-profile-open').click()
  const form = a!.page.getByTestId('edit-profile')
  const bio = '<img src=x onerror="window.__pwned=1"><b>bold</b> & {@html no}'
  await form.getByTestId('edit-name').fill('Ada Lovelace')
  await form.getByTestId('edit-bio').fill(bio)
  await form.getByTestId('edit-links').fill('javascript:alert(1)')
  await form
    .getByTestId('edit-avatar')
    .setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: PNG })
  await expect(form.locator('img')).toBeVisible()
  await form.getByTestId('edit-save').click()
  await expect(form.getByTestId('edit-problem')).toHaveText(
    'Link 1 is not an http:// or https:// address of at most 200 characters.',
  )
  await expect(a!.page.locator('dialog[data-testid="spend-confirm"][open]')).toHaveCount(0)
  await form.getByTestId('edit-links').fill('https://ada.example/notes')
  await form.getByTestId('edit-save').click()
  const dialog = a!.page.locator('dialog[data-testid="spend-confirm"][open]')
  await expect(dialog.getByTestId('spend-what')).toHaveText('Your profile, as “Ada Lovelace”')
  await answerSpend(a!.page)
  await expect(a!.page.getByTestId('profile-name')).toHaveText('Ada Lovelace')

  // B sees the name (and the avatar) on A's card in its feed, the full address as the tooltip.
  await go(b!.page, '/feed')
  const byline = cardIn(b!.page, cardId).getByTestId('person')
  await expect(byline.getByTestId('person-name')).toHaveText('Ada Lovelace', { timeout: 15_000 })
  await expect(byline.getByTestId('avatar')).toBeVisible()
  await expect(byline).toHaveAttribute('title', addrA)

  // A's profile page: the bio as text, the link, then B follows: "1 follower", B in the list.
  await byline.click()
  const profile = b!.page.getByTestId('profile')
  await expect(profile.getByTestId('profile-name')).toHaveText('Ada Lovelace')
  await expect(profile.getByTestId('profile-bio')).toHaveText(bio)
  await expect(profile.getByTestId('profile-bio').locator('img, b')).toHaveCount(0)
  await expect(profile.getByTestId('profile-address')).toHaveAttribute('title', addrA)
  await expect(profile.getByRole('link', { name: 'https://ada.example/notes' })).toHaveAttribute(
    'href',
    'https://ada.example/notes',
  )
  await expect(profile.getByTestId('followers')).toHaveText('0 followers')
  await profile.getByTestId('follow').click()
  await answerSpend(b!.page)
  await expect(profile.getByTestId('followers')).toHaveText('1 follower', { timeout: 15_000 })
  const fan = profile.getByTestId('followers-list').getByTestId('person')
  await expect(fan).toHaveAttribute('data-address', addrB)
  // B has no profile: its short address and its colours, never 40 hex digits.
  await expect(fan.getByTestId('person-name')).toHaveText(shortAddress(addrB))
  await expect(fan.getByTestId('identicon')).toBeVisible()
  expect(await b!.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()

  // The profile card's own link (/card/<its id>) opens the person's profile page.
  const { person: ada } = await rpc<{ person: { cardId: string } | null }>(
    b!.page,
    'feed.profile',
    { address: addrA },
  )
  expect(ada).not.toBeNull()
  await go(b!.page, '/node')
  await go(b!.page, `/card/${ada!.cardId}`)
  await expect(b!.page).toHaveURL(new RegExp(`/profile/${addrA.toLowerCase()}$`))
  await expect(b!.page.getByTestId('profile').getByTestId('profile-name')).toHaveText(
    'Ada Lovelace',
  )
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('activity: a follow, a like and a sale reach the creator within a block; read stays read', async ({
  browser,
}) => {
  const chain = createPublicClient({ transport: http(stack().rpcUrl) })
  const [a, b] = await openNodes(browser, stack(), 2, '/node')
  const [creator, buyer] = await Promise.all([
    person(a!.page, mnemonic(0x75)),
    person(b!.page, mnemonic(0x76)),
  ])
  // The pages read the identity again (no reload: the nodes keep their relay and peers); the
  // header shows the bell and the links that need an identity.
  await Promise.all(
    [a!.page, b!.page].map((p) =>
      p.evaluate(() =>
        (
          globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
        ).hashcard.node.refreshIdentity(),
      ),
    ),
  )
  const bell = a!.page.getByTestId('bell')
  await expect(bell).toHaveAttribute('data-unread', '0', { timeout: 30_000 })
  const paid = await publishUi(a!.page, {
    title: 'Lighthouse keeper',
    file: ['keeper.png', 'image/png', PNG],
    price: '0.01',
  })

  // B follows A, likes the card, buys its key: each confirmed.
  await go(b!.page, `/profile/${creator}`)
  await b!.page.getByTestId('follow').click({ timeout: 30_000 })
  await answerSpend(b!.page)
  await go(b!.page, '/feed')
  await cardIn(b!.page, paid).getByTestId('react').click({ timeout: 30_000 })
  await answerSpend(b!.page)
  await go(b!.page, `/card/${paid}`)
  await b!.page.getByTestId('buy').click({ timeout: 30_000 })
  await answerSpend(b!.page)
  let bought = 0n
  await expect
    .poll(async () => {
      const logs = await chain.getContractEvents({
        address: stack().chain.contracts.keyMarket,
        abi: keyMarketAbi,
        eventName: 'Transfer',
        args: { to: buyer as `0x${string}` },
        fromBlock: 0n,
      })
      bought = logs[0]?.blockNumber ?? 0n
      return bought
    })
    .toBeGreaterThan(0n)

  // A's bell: three unread, the sale among them before the chain is two blocks past it.
  await expect(bell.getByTestId('unread-count')).toHaveText('3', { timeout: 15_000 })
  expect(await chain.getBlockNumber()).toBeLessThanOrEqual(bought + 1n)

  await bell.click()
  const entries = a!.page.getByTestId('activity-entry')
  await expect(entries.first()).toBeVisible()
  expect(await entries.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual([
    'sale',
    'reaction',
    'follow',
  ])
  const sale = a!.page.locator('[data-testid="activity-entry"][data-kind="sale"]')
  await expect(sale).toHaveAttribute('data-block', String(bought))
  await expect(sale.getByTestId('activity-title')).toHaveText('“Lighthouse keeper”')
  await expect(sale).toContainText('0.01 ETH')
  await expect(sale).toHaveAttribute('data-unread', 'true')
  // Opened: read, and still read after a reload (the node keeps the state).
  await expect(bell).toHaveAttribute('data-unread', '0')
  await expect(bell.getByTestId('unread-count')).toHaveCount(0)
  await a!.page.reload()
  await expect(bell).toHaveAttribute('data-unread', '0', { timeout: 30_000 })
  await expect(a!.page.getByTestId('activity-entry')).toHaveCount(3)
  await expect(bell.getByTestId('unread-count')).toHaveCount(0)

  // B's wallet history: the purchase, by the card's title.
  await go(b!.page, '/wallet')
  const purchase = b!.page.locator('[data-testid="history-entry"][data-kind="purchase"]')
  await expect(purchase.getByTestId('history-title')).toHaveText('Lighthouse keeper', {
    timeout: 15_000,
  })
  await expect(purchase.getByTestId('history-amount')).toContainText('0.01 ETH')
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('install and update: the install button follows the browser offer; a waiting new build is one Reload away', async ({
  browser,
}) => {
  const { context, page } = await controlledPage(browser, '/', async (page) => {
    await expect(page.getByTestId('onboarding')).toBeVisible({ timeout: 30_000 })
  })
  // No offer, no button.
  await expect(page.getByTestId('install')).toHaveCount(0)
  // The browser's offer (synthetic: headless Chromium never makes one): the button appears and
  // prompts with that very event.
  await page.evaluate(() => {
    const e = new Event('beforeinstallprompt', { cancelable: true }) as Event & {
      prompt(): Promise<void>
      userChoice: Promise<{ outcome: string }>
    }
    const w = window as unknown as { __prompted?: number; __defaultPrevented?: () => boolean }
    e.prompt = async () => {
      w.__prompted = (w.__prompted ?? 0) + 1
    }
    e.userChoice = Promise.resolve({ outcome: 'accepted' })
    w.__defaultPrevented = () => e.defaultPrevented
    dispatchEvent(e)
  })
  await page.getByTestId('install').click()
  expect(await page.evaluate(() => (window as { __prompted?: number }).__prompted)).toBe(1)
  expect(
    await page.evaluate(() =>
      (window as unknown as { __defaultPrevented: () => boolean }).__defaultPrevented(),
    ),
  ).toBe(true)
  await expect(page.getByTestId('install')).toHaveCount(0)

  // A second build is deployed: its worker installs and waits (the open tab keeps its shell),
  // and the page says so; Reload switches to it.
  await expect(page.getByTestId('update-ready')).toHaveCount(0)
  const swPath = join(import.meta.dirname, '..', 'dist', 'sw.js')
  const original = await readFile(swPath, 'utf8')
  try {
    await writeFile(swPath, `${original}\n// e2e: a second build\n`)
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration()
      await reg?.update()
    })
    await expect(page.getByTestId('update-ready')).toBeVisible({ timeout: 30_000 })
    expect(
      await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration()
        return { waiting: !!reg?.waiting, active: !!reg?.active }
      }),
    ).toEqual({ waiting: true, active: true })
    await page.evaluate(() => {
      ;(window as { __sameDocument?: boolean }).__sameDocument = true
    })
    const reloaded = page.waitForEvent('load')
    await page.getByTestId('update-reload').click()
    await reloaded
    // The page reloaded under the new worker: a new document, nothing waiting, no prompt.
    expect(
      await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument),
    ).toBeUndefined()
    await expect(page.getByTestId('onboarding')).toBeVisible({ timeout: 30_000 })
    expect(
      await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration()
        return { waiting: !!reg?.waiting, controlled: navigator.serviceWorker.controller !== null }
      }),
    ).toEqual({ waiting: false, controlled: true })
    await expect(page.getByTestId('update-ready')).toHaveCount(0)
  } finally {
    await writeFile(swPath, original)
  }
  await context.close()
})

/** The parts of the web app manifest the test reads. */
type Manifest = {
  id: string
  start_url: string
  scope: string
  icons: { src: string; sizes: string; type: string; purpose?: string }[]
  screenshots: { src: string; sizes: string; type: string; form_factor: string }[]
  shortcuts: { name: string; url: string; icons?: { src: string }[] }[]
}

/** What the page decodes of one image: its type and size on the wire, and its pixel size. */
type Decoded = { type: string | null; bytes: number; width: number; height: number }

test('the manifest: icons, a maskable icon, screenshots and shortcuts that load; no manifest errors', async ({
  browser,
}) => {
  const { context, page } = await controlledPage(browser, '/node')

  // Chromium's own reading: no parse error or warning, nothing that blocks installing.
  const cdp = await context.newCDPSession(page)
  const read = (await cdp.send('Page.getAppManifest')) as {
    url: string
    errors: { message: string }[]
  }
  expect(read.url).toBe(new URL('/manifest.webmanifest', stack().relay.url).href)
  expect(read.errors).toEqual([])
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: { errorId: string }[]
  }
  // Playwright's contexts are incognito profiles, where Chromium never installs: that one is
  // the profile's, not the app's.
  expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([])

  const manifest = await page.evaluate(
    async () => (await fetch('/manifest.webmanifest')).json() as Promise<Manifest>,
  )
  expect([manifest.id, manifest.start_url, manifest.scope]).toEqual(['/', '/', '/'])

  const decode = (src: string) =>
    page.evaluate(async (src): Promise<Decoded> => {
      const res = await fetch(src)
      const blob = await res.blob()
      const img = new Image()
      img.src = URL.createObjectURL(blob)
      await img.decode()
      return {
        type: res.headers.get('content-type'),
        bytes: blob.size,
        width: img.naturalWidth,
        height: img.naturalHeight,
      }
    }, src)

  // Icons: each loads as its type and at its declared size; PNGs at 192 and 512, one maskable.
  for (const icon of manifest.icons) {
    const got = await decode(icon.src)
    expect(got.type, icon.src).toBe(icon.type)
    if (icon.sizes !== 'any') expect(`${got.width}x${got.height}`, icon.src).toBe(icon.sizes)
  }
  const png = manifest.icons.filter((i) => i.type === 'image/png')
  expect(png.filter((i) => i.purpose !== 'maskable').map((i) => i.sizes)).toEqual([
    '192x192',
    '512x512',
  ])
  const maskable = png.find((i) => i.purpose === 'maskable' && i.sizes === '512x512')
  expect(maskable).toBeDefined()
  // The maskable icon is full-bleed, its glyph inside the safe zone (the centred circle of
  // radius 40 %): every pixel outside that circle is the opaque background.
  const outside = await page.evaluate(async (src) => {
    const bitmap = await createImageBitmap(await (await fetch(src)).blob())
    const c = new OffscreenCanvas(bitmap.width, bitmap.height)
    const g = c.getContext('2d') as OffscreenCanvasRenderingContext2D
    g.drawImage(bitmap, 0, 0)
    const { data, width, height } = g.getImageData(0, 0, bitmap.width, bitmap.height)
    const colours = new Set<string>()
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        if (Math.hypot(x + 0.5 - width / 2, y + 0.5 - height / 2) <= 0.4 * width) continue
        const i = (y * width + x) * 4
        colours.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`)
      }
    return [...colours]
  }, maskable!.src)
  expect(outside).toEqual(['15,17,21,255'])

  // Screenshots: a narrow and a wide one, each at its declared size, small.
  expect(manifest.screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide'])
  for (const shot of manifest.screenshots) {
    const got = await decode(shot.src)
    expect(got.type, shot.src).toBe(shot.type)
    expect(`${got.width}x${got.height}`, shot.src).toBe(shot.sizes)
    expect(got.bytes, shot.src).toBeLessThan(150 * 1024)
  }

  // Shortcuts: each is an app route, and opens its view (for a person: compose and the wallet
  // need an identity).
  const views: Record<string, string> = {
    '/feed': 'lens-all',
    '/compose': 'compose',
    '/wallet': 'wallet',
  }
  expect(manifest.shortcuts.map((s) => s.url).sort()).toEqual(Object.keys(views).sort())
  await person(page, mnemonic(0x82))
  for (const shortcut of manifest.shortcuts) {
    expect(isAppPath(shortcut.url), shortcut.url).toBe(true)
    for (const icon of shortcut.icons ?? [])
      expect((await decode(icon.src)).width).toBeGreaterThan(0)
    await page.goto(shortcut.url)
    await expect(page.getByTestId(views[shortcut.url]!), shortcut.name).toBeVisible({
      timeout: 30_000,
    })
    await expect(page.locator(`header a[href="${shortcut.url}"]`)).toHaveAttribute(
      'aria-current',
      'page',
    )
  }
  await context.close()
})

/**
 * A new person's page at `path` (after `loaded`, if given), once the Service Worker controls
 * it: the install and manifest tests read what that worker serves.
 */
async function controlledPage(
  browser: Browser,
  path: string,
  loaded?: (page: Page) => Promise<void>,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: stack().relay.url })
  const page = await context.newPage()
  await page.goto(path)
  await loaded?.(page)
  await swControlled(page)
  return { context, page }
}
