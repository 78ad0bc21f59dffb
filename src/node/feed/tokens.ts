/**
 * Search tokens: lower-cased words of titles, text and excerpts (Unicode letters and digits,
 * 2–24 characters) and `#tag` for each tag. Kept in a multi-entry IndexedDB index, so a
 * search is a few key-range reads, not a scan; prefix matching works on the last word.
 */

const WORD = /[\p{L}\p{N}]+/gu
const MAX_TOKENS = 200

/** Distinct tokens of a text and its tags. */
export function tokenize(text: string, tags: readonly string[] = []): string[] {
  const out = new Set<string>()
  for (const m of text.toLowerCase().normalize('NFKC').matchAll(WORD)) {
    const w = m[0]
    if (w.length >= 2 && w.length <= 24) out.add(w)
    if (out.size >= MAX_TOKENS) break
  }
  for (const t of tags) out.add(`#${t.toLowerCase()}`)
  return [...out]
}

/** The words of a query; a leading `#` keeps a tag. */
export function queryTerms(q: string): string[] {
  const terms: string[] = []
  for (const part of q.toLowerCase().normalize('NFKC').split(/\s+/)) {
    if (part.startsWith('#') && part.length > 1) terms.push(part)
    else for (const m of part.matchAll(WORD)) if (m[0].length >= 2) terms.push(m[0])
  }
  return terms.slice(0, 8)
}
