/**
 * Placeholders: strings that stand in for big integers while the native JSON.parse or
 * JSON.stringify does the real work, and that no genuine string can be mistaken for.
 *
 * A placeholder starts with a marker made of control characters. JSON text cannot hold a raw
 * control character inside a string, and those chosen here (U+0000-U+0007, U+0010-U+0019) have
 * exactly one escaped spelling, "\u00XY" with decimal digits only (no hex letters, so no case
 * variants, and no short form such as "\n"). So a parsed string can start with the marker only
 * if the text contains the marker's escaped spelling: when it does not, every string starting
 * with the marker is a placeholder.
 */
export interface Marker {
  /** The marker as a JavaScript string (what the native parser produces). */
  readonly value: string;
  /** Its escaped spelling in JSON text. */
  readonly escaped: string;
}

const CODES = [0, 1, 2, 3, 4, 5, 6, 7, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19];

function markerOf(codes: readonly number[]): Marker {
  return {
    value: String.fromCharCode(...codes),
    escaped: codes.map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join(''),
  };
}

/** The usual marker: a single NUL, which Kubernetes objects practically never contain. */
export const NUL_MARKER = markerOf([0]);

/**
 * A marker whose escaped spelling does not occur in `text`. Tries NUL first, then random ones,
 * growing longer on every miss: a text of n characters holds at most n distinct spellings, so a
 * free one is found quickly even in a text crafted to contain many.
 */
export function markerAbsentFrom(text: string): Marker {
  if (!text.includes(NUL_MARKER.escaped)) return NUL_MARKER;
  for (let length = 4; ; length++) {
    const marker = randomMarker(length);
    if (!text.includes(marker.escaped)) return marker;
  }
}

/** Another marker than NUL, chosen at random, for a retry after a collision. */
export function randomMarker(length: number): Marker {
  return markerOf(Array.from({ length }, () => CODES[Math.floor(Math.random() * CODES.length)] ?? 0));
}
