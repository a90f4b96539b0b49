/**
 * What a failed Kubernetes API call tells us. client-node 1.x throws `ApiException` with the HTTP
 * code and the response body as text (a `Status` object in JSON); transport failures throw other
 * errors with no code. Everything here is pure so the retry decisions can be tested alone.
 */
export interface ApiFailure {
  /** HTTP status code; undefined for transport errors (connection refused, timeout, TLS). */
  readonly code: number | undefined;
  /** The `Status.reason`, e.g. `Conflict`, `NotFound`, `Expired`. */
  readonly reason: string | undefined;
  /** The apiserver's own words when it sent a `Status`, the error's message otherwise. */
  readonly message: string;
  /** A 410 on a list carries a continue token for the rest of the list (from a newer snapshot). */
  readonly continueToken: string | undefined;
  /** Seconds from a `Retry-After` header (429, some 5xx). */
  readonly retryAfterSeconds: number | undefined;
}

interface StatusBody {
  message?: unknown;
  reason?: unknown;
  metadata?: { continue?: unknown };
}

const parseStatus = (body: unknown): StatusBody | undefined => {
  if (typeof body === 'object' && body !== null) return body as StatusBody;
  if (typeof body !== 'string' || body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
};

const headerValue = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
};

const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Reads any thrown value as an API failure. */
export function apiFailure(err: unknown): ApiFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    body?: unknown;
    headers?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'number' ? e.code : undefined;
  const status = code === undefined ? undefined : parseStatus(e.body);
  const retryAfter = Number(headerValue(e.headers, 'retry-after'));
  const fallback = typeof e.message === 'string' ? (e.message.split('\n')[0] ?? e.message) : String(err);
  return {
    code,
    reason: stringOrUndefined(status?.reason),
    message: stringOrUndefined(status?.message) ?? (code === undefined ? fallback : `HTTP ${code}`),
    continueToken: stringOrUndefined(status?.metadata?.continue),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
  };
}

export const isNotFound = (f: ApiFailure): boolean => f.code === 404;
export const isConflict = (f: ApiFailure): boolean => f.code === 409;
/** 410 Gone: the continue token outlived etcd's compaction window (about 5 minutes). */
export const isExpired = (f: ApiFailure): boolean => f.code === 410;
/** Worth trying again as is: throttling, server trouble, or no answer at all. */
export const isTransient = (f: ApiFailure): boolean =>
  f.code === undefined || f.code === 429 || f.code === 500 || f.code === 502 || f.code === 503 || f.code === 504;

/** One line for a person: code and the apiserver's message. */
export const describeFailure = (f: ApiFailure): string =>
  f.code === undefined ? f.message : `HTTP ${f.code}${f.reason ? ` ${f.reason}` : ''}: ${f.message}`;
