/**
 * The "update ready" flow (issue #20 item 6), without the browser: a new Service Worker waits
 * (the app's worker no longer replaces itself, src/sw/lifecycle.ts); the person asks to reload;
 * if a download is running (it streams from this tab's node, which a reload would stop), the
 * reload waits until the last one ends, unless the person insists.
 */

export type UpdatePhase = 'none' | 'ready' | 'deferred' | 'reloading'

export type UpdatePorts = {
  /** Downloads running in this tab now. */
  activeDownloads(): number
  /** Tells the waiting worker to take over; the page reloads once it controls the page. */
  activate(): void
}

export class UpdateFlow {
  phase: UpdatePhase = 'none'

  constructor(
    private readonly ports: UpdatePorts,
    private readonly changed: (phase: UpdatePhase) => void = () => {},
  ) {}

  /** A new worker is installed and waiting. */
  waiting(): void {
    if (this.phase === 'none') this.set('ready')
  }

  /**
   * The person asked to reload: now, or once downloads end (`force` reloads regardless).
   * @example flow.reload() // 'deferred' while a download runs, else 'reloading'
   */
  reload(force = false): UpdatePhase {
    if (this.phase === 'none' || this.phase === 'reloading') return this.phase
    if (!force && this.ports.activeDownloads() > 0) this.set('deferred')
    else this.go()
    return this.phase
  }

  /** The number of running downloads changed: a deferred reload goes when it reaches 0. */
  downloadsChanged(): void {
    if (this.phase === 'deferred' && this.ports.activeDownloads() === 0) this.go()
  }

  private go(): void {
    this.set('reloading')
    this.ports.activate()
  }

  private set(phase: UpdatePhase): void {
    this.phase = phase
    this.changed(phase)
  }
}
