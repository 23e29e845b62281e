/**
 * Type OIDs that both drivers hand over as PostgreSQL's text, so the fields' codecs see the same input everywhere:
 * int8 and numeric stay exact, date and time types are not shifted into the local time zone.
 * @internal
 */
export const textOids: ReadonlyArray<number> = [
  20, // int8
  1700, // numeric
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186 // interval
]
