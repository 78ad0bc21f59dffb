/**
 * The embed's `postMessage` API (`/embed/<cardId>` in an iframe):
 *
 * From the embed to its parent window (`event.source` is the iframe):
 * - `{ type: 'hashcard:ready', cardId }` once the card is shown;
 * - `{ type: 'hashcard:resize', cardId, height }` whenever its height changes (px): set the
 *   iframe's height to it.
 *
 * From the parent to the embed (`iframe.contentWindow.postMessage(msg, origin)`):
 * - `{ type: 'hashcard:play' }` plays the card's media when it has a player, else does nothing;
 * - `{ type: 'hashcard:open' }` opens the card in the app in a new tab.
 *
 * Messages are plain objects; anything else is ignored. The embed never trusts the parent for
 * more than these two commands.
 */

export type EmbedToParent =
  | { type: 'hashcard:ready'; cardId: string }
  | { type: 'hashcard:resize'; cardId: string; height: number }
export type ParentToEmbed = { type: 'hashcard:play' } | { type: 'hashcard:open' }

/** The copyable iframe snippet for a card. */
export function embedSnippet(origin: string, cardId: string): string {
  return `<iframe src="${origin}/embed/${cardId}" width="480" height="200" style="border:0" title="Hashcard" loading="lazy"></iframe>`
}

/** Parses a message from the parent; null for anything not part of the API. */
export function parseParentMessage(data: unknown): ParentToEmbed | null {
  if (typeof data !== 'object' || data === null) return null
  const type = (data as { type?: unknown }).type
  return type === 'hashcard:play' || type === 'hashcard:open' ? { type } : null
}
