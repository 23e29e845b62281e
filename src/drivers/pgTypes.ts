/**
 * Decoders for the built-in PostgreSQL types `@effect/sql-pg` has no codec for. The driver reads results in binary
 * and decodes a type it does not know as UTF-8 text; when the bytes are not UTF-8 (a `regtype[]`, a `tsvector`)
 * decoding fails and the connection is closed, which also ends a transaction running on it. These decoders never
 * fail: OID-like types decode as numbers, textual ones as text, and the others as their text when it is printable
 * UTF-8, else as PostgreSQL's hex notation of their binary form (`\x0102...`).
 * @internal
 */
import * as PgTypes from "@effect/sql-pg/PgTypes"
import * as Result from "effect/Result"

const utf8 = new TextDecoder("utf-8", { fatal: true })
const printable = /^[^\u0000-\u0008\u000e-\u001f\u007f]*$/

const hex = (bytes: Uint8Array): string => `\\x${Buffer.from(bytes).toString("hex")}`

const lenientText = (bytes: Uint8Array): string => {
  try {
    const text = utf8.decode(bytes)
    if (printable.test(text)) return text
  } catch {
    // Not UTF-8: the bytes themselves.
  }
  return hex(bytes)
}

const refuse = (oid: number) => () =>
  Result.fail(new PgTypes.CodecError({ message: `effect-orm: parameters of type OID ${oid} are not supported` }))

const decoder = (oid: number, decode: (bytes: Uint8Array) => unknown): PgTypes.Codec<unknown> => ({
  encode: refuse(oid),
  decode: (bytes) => Result.succeed(decode(bytes))
})

const uint32 = (bytes: Uint8Array) =>
  bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : lenientText(bytes)

// Built-in types without a codec of the driver's, each with its array type (0: none).
const oidTypes: ReadonlyArray<readonly [number, number]> = [
  [24, 1008], // regproc
  [28, 1011], // xid
  [29, 1012], // cid
  [2202, 2207], // regprocedure
  [2203, 2208], // regoper
  [2204, 2209], // regoperator
  [2206, 2211], // regtype
  [3734, 3735], // regconfig
  [3769, 3770], // regdictionary
  [4089, 4090], // regnamespace
  [4096, 4097], // regrole
  [4191, 4192] // regcollation
]

const otherTypes: ReadonlyArray<readonly [number, number]> = [
  [18, 1002], [22, 1006], [27, 1010], [30, 1013], [32, 0], [142, 143], [194, 0], [600, 1017], [601, 1018],
  [602, 1019], [603, 1020], [604, 1027], [628, 629], [718, 719], [774, 775], [790, 791], [829, 1040], [1033, 1034],
  [1560, 1561], [1562, 1563], [1790, 2201], [2249, 2287], [2275, 1263], [2970, 2949], [3220, 3221], [3361, 0],
  [3402, 0], [3614, 3643], [3615, 3645], [3904, 3905], [3906, 3907], [3908, 3909], [3910, 3911], [3912, 3913],
  [3926, 3927], [4072, 4073], [4451, 6150], [4532, 6151], [4533, 6152], [4534, 6153], [4535, 6155], [4536, 6157],
  [4600, 0], [4601, 0], [5017, 0], [5038, 5039], [5069, 271]
]

const PG_EPOCH_MS = 946_684_800_000
const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/**
 * A timestamp's 64-bit microseconds since 2000-01-01 as a `Date`, the digits below the millisecond truncated towards
 * the past (as PGlite's text is read, and as PostgreSQL's own `date_trunc` does). The driver's codec truncates towards
 * 2000-01-01, so a time before 2000 with microseconds read 1 ms later than on PGlite.
 */
const readTimestamp = (bytes: Uint8Array, offset: number, size: number): Result.Result<Date, PgTypes.CodecError> => {
  if (size !== 8) return Result.fail(new PgTypes.CodecError({ message: `effect-orm: a timestamp has 8 bytes, got ${size}` }))
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8)
  const high = view.getInt32(0)
  if (high >= -0x200000 && high < 0x200000) {
    // Exact as a number: whole milliseconds by exact integer arithmetic.
    const micros = high * 4294967296 + view.getUint32(4)
    return Result.succeed(new Date((micros - (((micros % 1000) + 1000) % 1000)) / 1000 + PG_EPOCH_MS))
  }
  const micros = view.getBigInt64(0)
  if (micros === INT64_MAX || micros === INT64_MIN) return Result.succeed(new Date(Number.NaN))
  const remainder = ((micros % 1000n) + 1000n) % 1000n
  return Result.succeed(new Date(Number((micros - remainder) / 1000n) + PG_EPOCH_MS))
}

const timestampCodec = (oid: number): PgTypes.Codec<unknown> => ({
  encode: (value) => PgTypes.encode(value, oid),
  decode: (bytes) => readTimestamp(bytes, 0, bytes.length),
  read: readTimestamp
})

/** A registry of the driver's codecs plus decoders for every other built-in type. @internal */
export const registry = (): PgTypes.Registry => {
  const types = PgTypes.makeRegistry()
  const add = (oid: number, array: number, codec: PgTypes.Codec<unknown>) =>
    types.register(oid, codec, array === 0 ? undefined : { arrayOid: array })
  add(1114, 1115, timestampCodec(1114))
  add(1184, 1185, timestampCodec(1184))
  for (const [oid, array] of oidTypes) add(oid, array, decoder(oid, uint32))
  for (const [oid, array] of otherTypes) add(oid, array, decoder(oid, lenientText))
  return types
}
