/**
 * A tiny path router: the app's views are few, and share links (`/card/<id>`) and embeds
 * (`/embed/<id>`) must open straight on their view, so the path is the state.
 */
export class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname)

  constructor() {
    if (typeof window === 'undefined') return
    addEventListener('popstate', () => {
      this.path = location.pathname
    })
  }

  go(path: string): void {
    if (path === this.path) return
    history.pushState(null, '', path)
    this.path = path
  }

  /** Moves to `path` in place of the current entry (a viewer stepping to the next item). */
  replace(path: string): void {
    if (path === this.path) return
    history.replaceState(null, '', path)
    this.path = path
  }

  /** For `<a href onclick={router.link}>`: in-app navigation without a reload. */
  link = (event: MouseEvent): void => {
    const a = event.currentTarget as HTMLAnchorElement
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
    event.preventDefault()
    this.go(new URL(a.href).pathname)
  }
}
