/**
 * Case-insensitive matching as the reference expects PostgreSQL's ILIKE and iexact to behave (reference.ts's module
 * comment gives the rules: ASCII letters fold, others compare as they are).
 */
import type { TV } from "./reference.js"

const WILD = -1
const isAsciiUpper = (c: number) => c >= 65 && c <= 90
/** Code points folded for ILIKE: ASCII lower-cased, non-ASCII cased characters a wildcard (their folding is the ctype's). */
const foldTokens = (s: string, wildcards: boolean): Array<number> =>
  [...s].map((ch) => {
    const c = ch.codePointAt(0)!
    if (isAsciiUpper(c)) return c + 32
    if (c < 128) return c
    return wildcards && (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch) ? WILD : c
  })

const tokensMatchAt = (row: ReadonlyArray<number>, needle: ReadonlyArray<number>, at: number) =>
  needle.every((t, i) => t === row[at + i] || t === WILD || row[at + i] === WILD)

const matches = (mode: "exact" | "contains" | "start" | "end", row: ReadonlyArray<number>, needle: ReadonlyArray<number>) => {
  if (needle.length > row.length) return false
  switch (mode) {
    case "exact":
      return needle.length === row.length && tokensMatchAt(row, needle, 0)
    case "start":
      return tokensMatchAt(row, needle, 0)
    case "end":
      return tokensMatchAt(row, needle, row.length - needle.length)
    case "contains":
      for (let at = 0; at + needle.length <= row.length; at++) if (tokensMatchAt(row, needle, at)) return true
      return false
  }
}

export const insensitive = (mode: "exact" | "contains" | "start" | "end", row: string, needle: string): TV => {
  if (matches(mode, foldTokens(row, false), foldTokens(needle, false))) return true
  return matches(mode, foldTokens(row, true), foldTokens(needle, true)) ? "?" : false
}
