/**
 * Search tokens: lower-cased words of titles, text and excerpts (Unicode letters and digits,
 * 2–24 characters) and `#tag` for each tag. Kept in a multi-entry IndexedDB index as
 * `term ␠ newest-first time` ({@link tokenKey}), so a search is a few bounded key-range reads,
 * not a scan, each term's postings come newest first, and prefix matching works on the last
 * word.
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

/** Separates a term from its time in an index key; sorts below every term character. */
export const TOKEN_SEP = ' '
const MAX_T = 999_999_999_999_999

/** The index key of a term in a card posted at `postedAt` (ms): newest sorts first. */
export function tokenKey(term: string, postedAt: number): string {
  const inv = Math.max(0, MAX_T - Math.floor(postedAt))
  return `${term}${TOKEN_SEP}${inv.toString().padStart(15, '0')}`
}

/** The term of an index key made by {@link tokenKey}. */
export function termOf(key: string): string {
  const i = key.lastIndexOf(TOKEN_SEP)
  return i < 0 ? key : key.slice(0, i)
}

/**
 * The index range of a term: exactly the term, or (for the last word of a query, when
 * `prefix`) every term that starts with it.
 */
export function termRange(term: string, prefix: boolean): IDBKeyRange {
  return prefix
    ? IDBKeyRange.bound(term, `${term}\uffff`)
    : IDBKeyRange.bound(`${term}${TOKEN_SEP}`, `${term}${TOKEN_SEP}\uffff`)
}
