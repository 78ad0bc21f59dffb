/**
 * Install and update, as people expect of a PWA (issue #20 item 6), one instance for the page:
 * - `installable` while the browser offers installing (it fired `beforeinstallprompt`, which is
 *   kept and prompted from the header's button), until it is installed or declined;
 * - the app's Service Worker, registered through workbox-window: a new build's worker waits
 *   (src/sw/lifecycle.ts) and `update` says so; reloading then asks it to take over and reloads
 *   once it controls the page, after running downloads end (update.ts).
 */
import { Workbox } from 'workbox-window'
import { runningDownloads } from '../swarm/download.svelte.ts'
import { UpdateFlow, type UpdatePhase } from './update.ts'

/** The event Chromium fires when the app may be installed (not in lib.dom). */
type InstallPromptEvent = Event & {
  prompt(): Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

export class PwaState {
  installable = $state(false)
  update = $state<UpdatePhase>('none')
  #prompt: InstallPromptEvent | null = null
  #wb: Workbox | null = null
  readonly flow = new UpdateFlow(
    {
      activeDownloads: () => runningDownloads.count,
      activate: () => {
        const wb = this.#wb
        if (!wb) return
        // The new worker controls the page: workbox-window's `controlling` or the container's
        // own `controllerchange`, whichever comes first, reloads it, once.
        let reloading = false
        const reload = () => {
          if (reloading) return
          reloading = true
          location.reload()
        }
        navigator.serviceWorker.addEventListener('controllerchange', reload)
        wb.addEventListener('controlling', reload)
        wb.messageSkipWaiting()
      },
    },
    (phase) => {
      this.update = phase
    },
  )

  /** Listens for the install offer and registers the Service Worker. */
  start(): void {
    addEventListener('beforeinstallprompt', (e) => {
      e.preventDefault() // the header's button prompts, not the browser's own bar
      this.#prompt = e as InstallPromptEvent
      this.installable = true
    })
    addEventListener('appinstalled', () => {
      this.#prompt = null
      this.installable = false
    })
    if (!('serviceWorker' in navigator)) return
    // The SW is the app shell's cache (offline start) and the content handler.
    const wb = new Workbox('/sw.js', { type: 'module', scope: '/' })
    this.#wb = wb
    wb.addEventListener('waiting', () => this.flow.waiting())
    wb.register().catch((err: Error) => console.warn('service worker registration failed', err))
  }

  /** Shows the browser's install dialog; the button goes either way (the offer is used up). */
  async install(): Promise<void> {
    const prompt = this.#prompt
    if (!prompt) return
    this.#prompt = null
    this.installable = false
    await prompt.prompt()
    await prompt.userChoice.catch(() => undefined)
  }
}

/** The page's install and update state. */
export const pwa = new PwaState()
