/**
 * A JSON object: not null, not an array. What every walk over parsed JSON asks before it reads
 * keys; one definition, so that all of them agree on what an object is.
 */
export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
