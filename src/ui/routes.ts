/**
 * The app's views, in match order: the first route whose pattern matches the path is shown,
 * with the pattern's named groups as `params`. Each domain adds its routes here (one entry
 * each) and keeps its view in its own folder.
 */
import type { Component } from 'svelte'
import ActivityView from './activity/ActivityView.svelte'
import CardView from './feed/CardView.svelte'
import ComposeView from './feed/ComposeView.svelte'
import EmbedView from './feed/EmbedView.svelte'
import FeedView from './feed/FeedView.svelte'
import ProfileView from './feed/ProfileView.svelte'
import PhotoView from './lenses/PhotoView.svelte'
import ReadView from './lenses/ReadView.svelte'
import WatchView from './lenses/WatchView.svelte'
import type { NodeState } from './lib/node.svelte.ts'
import type { Router } from './lib/router.svelte.ts'
import EarningsView from './pay/EarningsView.svelte'
import SpendingView from './pay/SpendingView.svelte'
import SiteView from './site/SiteView.svelte'
import PlayerView from './swarm/PlayerView.svelte'
import BackupView from './views/BackupView.svelte'
import HomeView from './views/HomeView.svelte'
import NodeView from './views/NodeView.svelte'
import WalletView from './wallet/WalletView.svelte'

export type RouteProps = {
  node: NodeState
  router: Router
  params: Record<string, string>
}

export type Route = {
  name: string
  pattern: RegExp
  component: Component<RouteProps>
  /** Shown in the header when set; `identity` hides it until the profile has one. */
  nav?: { label: string; href: string; order: number; identity?: boolean }
  /** `false` renders the view alone, without the app header (embeds). */
  chrome?: boolean
}

export const routes: Route[] = [
  {
    name: 'node',
    pattern: /^\/node\/?$/,
    component: NodeView,
    nav: { label: 'Node', href: '/node', order: 90 },
  },
  {
    name: 'backup',
    pattern: /^\/settings\/backup\/?$/,
    component: BackupView,
    nav: { label: 'Backup', href: '/settings/backup', order: 95, identity: true },
  },
  {
    name: 'wallet',
    pattern: /^\/wallet\/?$/,
    component: WalletView,
    nav: { label: 'Wallet', href: '/wallet', order: 50, identity: true },
  },
  {
    name: 'earnings',
    pattern: /^\/earnings\/?$/,
    component: EarningsView,
    nav: { label: 'Earnings', href: '/earnings', order: 55, identity: true },
  },
  {
    name: 'spending',
    pattern: /^\/spending\/?$/,
    component: SpendingView,
    nav: { label: 'Spending', href: '/spending', order: 56, identity: true },
  },
  // Reached from the header's bell (App.svelte), not the nav links.
  { name: 'activity', pattern: /^\/activity\/?$/, component: ActivityView },
  { name: 'play', pattern: /^\/play\/(?<id>[^/]+)\/?$/, component: PlayerView },
  // The viewers (issue #18): each kind of card opens in the one that fits it (lenses/viewer.ts).
  { name: 'watch', pattern: /^\/watch\/(?<id>0x[0-9a-fA-F]{64})\/?$/, component: WatchView },
  { name: 'photo', pattern: /^\/photo\/(?<id>0x[0-9a-fA-F]{64})\/?$/, component: PhotoView },
  { name: 'read', pattern: /^\/read\/(?<id>0x[0-9a-fA-F]{64})\/?$/, component: ReadView },
  {
    name: 'site',
    pattern: /^\/site\/(?<id>0x[0-9a-fA-F]{64})(?<path>\/.*)?$/,
    component: SiteView,
  },
  {
    name: 'feed',
    pattern: /^\/feed(?:\/(?<lens>[a-z-]+))?\/?$/,
    component: FeedView,
    nav: { label: 'Feed', href: '/feed', order: 10 },
  },
  { name: 'card', pattern: /^\/card\/(?<id>0x[0-9a-fA-F]{64})\/?$/, component: CardView },
  {
    name: 'embed',
    pattern: /^\/embed\/(?<id>0x[0-9a-fA-F]{64})\/?$/,
    component: EmbedView,
    chrome: false,
  },
  {
    name: 'profile',
    pattern: /^\/profile\/(?<address>0x[0-9a-fA-F]{40})\/?$/,
    component: ProfileView,
  },
  {
    name: 'compose',
    pattern: /^\/compose\/?$/,
    component: ComposeView,
    nav: { label: 'Compose', href: '/compose', order: 20, identity: true },
  },
  // The fallback: home.
  { name: 'home', pattern: /^/, component: HomeView, nav: { label: 'Home', href: '/', order: 0 } },
]

export function matchRoute(path: string): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    const m = route.pattern.exec(path)
    if (m) return { route, params: { ...(m.groups ?? {}) } }
  }
  throw new Error('no route matched (the home route matches everything)')
}
