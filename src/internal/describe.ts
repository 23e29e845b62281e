/**
 * How values and names appear in error messages, and the test for a plain filter object.
 * @internal
 */

/** A plain `{ ... }` object (lookups), as opposed to a value such as a BigDecimal, a DateTime or an array. @internal */
export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** A value as error messages show it: JSON where it can be, without losing NaN, Infinity, -0 or bigints. @internal */
export const describe = (u: unknown): string => {
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number") return Object.is(u, -0) ? "-0" : String(u)
  if (typeof u === "symbol" || typeof u === "function") return typeof u
  if (typeof u === "object" && u !== null && !isPlainObject(u) && !Array.isArray(u)) return safeString(u)
  try {
    return JSON.stringify(u, (_, v) => typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v) ?? safeString(u)
  } catch {
    return safeString(u)
  }
}

const safeString = (u: unknown): string => {
  try {
    return String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}

/** `a Float`, `an Integer`. @internal */
export const article = (word: string): string => /^[AEIOaeio]/.test(word) ? `an ${word}` : `a ${word}`

