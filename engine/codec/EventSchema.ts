/**
 * How one event type is stored. Payloads are msgpack positional arrays in `fields`
 * order (not maps): no key strings per row, so encoding and decoding run several
 * times faster than maps. A new release that changes an event's shape bumps
 * `version` and adds an upcaster from the previous version, so old logs still replay.
 */
export interface EventSchema {
  readonly type: string;
  /** Current schema version (1, 2, ...). */
  readonly version: number;
  /** Field names, in stored order, of the current version. */
  readonly fields: readonly string[];
  /**
   * Upcasters, keyed by the version they read: upcasters[v] turns a decoded version-v
   * data object into version v+1. Reading version v runs v, v+1, ... up to `version`.
   */
  readonly upcasters?: Readonly<Record<number, (data: Record<string, unknown>) => Record<string, unknown>>>;
  /**
   * Field names of each older version, when they differ from `fields` (needed to
   * turn an old positional array back into an object before upcasting it).
   */
  readonly oldFields?: Readonly<Record<number, readonly string[]>>;
}
