/**
 * Durations as operators write them: `30s`, `500ms`, `2m`, `1m30s`, `1h`, or a plain number of
 * seconds (`30`, `0.5`), the way Kubernetes manifests and Go flags spell them.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** Milliseconds for a duration text; throws with a message fit for a flag error. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < trimmed.length) {
    const m = PART.exec(trimmed);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    matched = PART.lastIndex;
  }
  if (trimmed === '' || matched !== trimmed.length) {
    throw new Error(`"${text}" is not a duration: write e.g. 30s, 500ms, 2m, 1m30s or a number of seconds`);
  }
  return Math.round(total);
}

/** The inverse for logs and help texts: 30000 -> "30s", 1500 -> "1.5s", 90 -> "90ms". */
export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);
