/** A magnet link (BEP 9) naming the infoHash, display name and trackers. */
export function magnetOf(infoHash: string, name: string | undefined, announce: string[]): string {
  const parts = [`xt=urn:btih:${infoHash}`]
  if (name) parts.push(`dn=${encodeURIComponent(name)}`)
  for (const tr of announce) parts.push(`tr=${encodeURIComponent(tr)}`)
  return `magnet:?${parts.join('&')}`
}
