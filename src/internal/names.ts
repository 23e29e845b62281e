/**
 * Names derived from model and field names: table and column names, default relation names.
 * @internal
 */

/** `BookAuthor` → `book_author` (re-exported as `Model.snakeCase`). @internal */
export const snakeCase = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase()

/** `BookAuthor` → `bookAuthor`. @internal */
export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** PostgreSQL's identifier limit (NAMEDATALEN - 1): longer names are truncated silently. @internal */
export const MAX_IDENTIFIER_BYTES = 63

const encoder = new TextEncoder()
const byteLength = (s: string) => encoder.encode(s).length

/** Why `name` cannot be a PostgreSQL identifier as it is, or `undefined`. @internal */
export const identifierProblem = (name: string): string | undefined =>
  name.length === 0
    ? "is empty"
    : name.includes("\u0000")
    ? "contains the NUL character"
    : byteLength(name) > MAX_IDENTIFIER_BYTES
    ? `is ${byteLength(name)} bytes long, over PostgreSQL's limit of ${MAX_IDENTIFIER_BYTES} (it would be truncated)`
    : undefined

/** 16 hex digits of two 32-bit FNV-1a hashes of `s`: stable across processes and versions. */
const hash = (s: string): string => {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0")
}

/** The longest prefix of `s` within `bytes` UTF-8 bytes, cut at a code point. */
const prefixWithin = (s: string, bytes: number): string => {
  let out = ""
  let used = 0
  for (const ch of s) {
    used += byteLength(ch)
    if (used > bytes) break
    out += ch
  }
  return out
}

/**
 * A name derived by the ORM (`<table>_<column>_key`, a join table) that fits PostgreSQL's limit: as it is when short
 * enough, else a prefix and a hash of the whole (as Django's `truncate_name`), so that distinct names stay distinct.
 * @internal
 */
export const derivedName = (name: string): string =>
  byteLength(name) <= MAX_IDENTIFIER_BYTES ? name : `${prefixWithin(name, MAX_IDENTIFIER_BYTES - 17)}_${hash(name)}`

/**
 * The column alias under which a select list returns `key` (a field name or a dotted path): `key` itself when it fits,
 * else a hashed name, since PostgreSQL would truncate it and the row would lose the value.
 * @internal
 */
export const sqlAlias = (key: string): string =>
  key.length * 3 <= MAX_IDENTIFIER_BYTES || byteLength(key) <= MAX_IDENTIFIER_BYTES ? key : `__k_${hash(key)}`
