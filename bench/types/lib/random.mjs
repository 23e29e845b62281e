// A seeded pseudo-random generator: the same seed gives the same schemas and queries on every run and machine,
// so two runs (or two versions of the ORM) type-check exactly the same code.

/** mulberry32: small, fast, and good enough to pick shapes of models and queries. */
export const makeRandom = (seed) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min, max) => min + Math.floor(next() * (max - min + 1))
  const pick = (items) => items[Math.floor(next() * items.length)]
  const chance = (p) => next() < p
  /** `count` distinct items, in a random order. */
  const sample = (items, count) => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return copy.slice(0, count)
  }
  /** One of `weights`' keys, with the probability of its weight. */
  const weighted = (weights) => {
    const entries = Object.entries(weights)
    let r = next() * entries.reduce((sum, [, w]) => sum + w, 0)
    for (const [key, w] of entries) {
      if ((r -= w) < 0) return key
    }
    return entries[entries.length - 1][0]
  }
  return { next, int, pick, chance, sample, weighted }
}
