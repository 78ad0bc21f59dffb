/**
 * The app's views, in match order: the first route whose pattern matches the path is shown,
 * with the pattern's named groups as `params`. Each domain adds its routes here (one entry
 * each) and keeps its view in its own folder.
 */
import type { Component } from 'svelte'
import type { NodeState } from './lib/node.svelte.ts'
import type { Router } from './lib/router.svelte.ts'
import HomeView from './views/HomeView.svelte'

export type RouteProps = {
  node: NodeState
  router: Router
  params: Record<string, string>
}

/** A view's module, as a dynamic import gives it. */
export type ViewModule = { default: Component<RouteProps> }

/** Home is in the first bundle (the first run and the feed); every other view is a chunk. */
const HOME: Promise<ViewModule> = Promise.resolve({ default: HomeView })

export type Route = {
  name: string
  pattern: RegExp
  /**
   * The view, loaded when first shown: the first paint loads only what it shows (issue #18:
   * one render-blocking bundle held Lighthouse's mobile score at 85).
   */
  load: () => Promise<ViewModule>
  /** Shown in the header when set; `identity` hides it until the profile has one. */
  nav?: { label: string; href: string; order: number; identity?: boolean }
  /** `false` renders the view alone, without the app header (embeds). */
  chrome?: boolean
}

export const routes: Route[] = [
  {
    name: 'node',
    pattern: /^\/node\/?$/,
    load: () => import('./views/NodeView.svelte'),
    nav: { label: 'Node', href: '/node', order: 90 },
  },
  {
    name: 'backup',
    pattern: /^\/settings\/backup\/?$/,
    load: () => import('./views/BackupView.svelte'),
    nav: { label: 'Backup', href: '/settings/backup', order: 95, identity: true },
  },
  {
    name: 'wallet',
    pattern: /^\/wallet\/?$/,
    load: () => import('./wallet/WalletView.svelte'),
    nav: { label: 'Wallet', href: '/wallet', order: 50, identity: true },
  },
  {
    name: 'earnings',
    pattern: /^\/earnings\/?$/,
    load: () => import('./pay/EarningsView.svelte'),
    nav: { label: 'Earnings', href: '/earnings', order: 55, identity: true },
  },
  {
    name: 'spending',
    pattern: /^\/spending\/?$/,
    load: () => import('./pay/SpendingView.svelte'),
    nav: { label: 'Spending', href: '/spending', order: 56, identity: true },
  },
  // Reached from the header's bell (App.svelte), not the nav links.
  {
    name: 'activity',
    pattern: /^\/activity\/?$/,
    load: () => import('./activity/ActivityView.svelte'),
  },
  {
    name: 'play',
    pattern: /^\/play\/(?<id>[^/]+)\/?$/,
    load: () => import('./swarm/PlayerView.svelte'),
  },
  // The viewers (issue #18): each kind of card opens in the one that fits it (lenses/viewer.ts).
  {
    name: 'watch',
    pattern: /^\/watch\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    load: () => import('./lenses/WatchView.svelte'),
  },
  {
    name: 'photo',
    pattern: /^\/photo\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    load: () => import('./lenses/PhotoView.svelte'),
  },
  {
    name: 'read',
    pattern: /^\/read\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    load: () => import('./lenses/ReadView.svelte'),
  },
  {
    name: 'site',
    pattern: /^\/site\/(?<id>0x[0-9a-fA-F]{64})(?<path>\/.*)?$/,
    load: () => import('./site/SiteView.svelte'),
  },
  {
    name: 'feed',
    pattern: /^\/feed(?:\/(?<lens>[a-z-]+))?\/?$/,
    load: () => import('./feed/FeedView.svelte'),
    nav: { label: 'Feed', href: '/feed', order: 10 },
  },
  {
    name: 'card',
    pattern: /^\/card\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    load: () => import('./feed/CardView.svelte'),
  },
  {
    name: 'embed',
    pattern: /^\/embed\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    load: () => import('./feed/EmbedView.svelte'),
    chrome: false,
  },
  {
    name: 'profile',
    pattern: /^\/profile\/(?<address>0x[0-9a-fA-F]{40})\/?$/,
    load: () => import('./feed/ProfileView.svelte'),
  },
  {
    name: 'compose',
    pattern: /^\/compose\/?$/,
    load: () => import('./feed/ComposeView.svelte'),
    nav: { label: 'Compose', href: '/compose', order: 20, identity: true },
  },
  // The fallback: home.
  { name: 'home', pattern: /^/, load: () => HOME, nav: { label: 'Home', href: '/', order: 0 } },
]

export function matchRoute(path: string): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    const m = route.pattern.exec(path)
    if (m) return { route, params: { ...(m.groups ?? {}) } }
  }
  throw new Error('no route matched (the home route matches everything)')
}
