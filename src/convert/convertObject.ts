import type { RegisteredKind, Registry } from '../kinds/registry.js';
import { decodeProblems, formatProblems } from './decode.js';
import { canonicalJson, jsonEqual } from '../json/index.js';
import { formatValidationProblems, type ValidationProblem, type Validator } from '../validate/validator.js';
import { differences } from '../json/diff.js';
import type { ConversionFailure } from './errors.js';
import { ABSENT, type JsonPath, ownValue } from '../json/path.js';
import { applyRoute, applyRouteSteps, checkHop, ConverterBug } from './route.js';
import {
  ANNOTATIONS_LIMIT_BYTES,
  annotationsSize,
  putStash,
  type ReadStash,
  restoreEntries,
  type Stash,
  stashEntries,
  takeStash,
} from './stash.js';
import { isJsonObject } from '../json/objects.js';
import { splitApiVersion } from '../kinds/apiVersion.js';

/** What happened to the stash while converting one object (for logs and metrics). */
export type StashOutcome = 'none' | 'written' | 'restored' | 'superseded' | 'rejected';

export type ConvertResult =
  | {
      readonly ok: true;
      readonly object: Record<string, unknown>;
      readonly from: string;
      readonly stash: StashOutcome;
      readonly stashProblem?: string;
    }
  | { readonly ok: false; readonly failure: ConversionFailure; readonly from?: string };

/** What names an object in messages: its kind, namespace and name, never its content. */
export interface ObjectIdentity {
  readonly kind: unknown;
  readonly name: unknown;
  readonly namespace: unknown;
}

export function objectIdentity(object: unknown): ObjectIdentity {
  const meta = ownValue(object, 'metadata');
  return { kind: ownValue(object, 'kind'), name: ownValue(meta, 'name'), namespace: ownValue(meta, 'namespace') };
}

/** `Kind namespace/name`, `Kind name` for cluster-scoped objects, `(unnamed)` without a name. */
export function formatIdentity({ kind, name, namespace }: ObjectIdentity): string {
  const id =
    typeof name === 'string'
      ? typeof namespace === 'string' && namespace
        ? `${namespace}/${name}`
        : name
      : '(unnamed)';
  return `${typeof kind === 'string' ? kind : 'object'} ${id}`;
}

/** How an object names itself in messages: `Kind namespace/name`, never its content. */
export const describeObject = (object: unknown): string => formatIdentity(objectIdentity(object));

/** The desired apiVersion is the same for every object of a review: split it once. */
let lastDesired: { readonly apiVersion: string; readonly split: { group: string; version: string } } | undefined;
const splitDesired = (apiVersion: string) => {
  if (lastDesired?.apiVersion !== apiVersion) lastDesired = { apiVersion, split: splitApiVersion(apiVersion) };
  return lastDesired.split;
};

/**
 * Convert one object to `desiredAPIVersion`: the service's hot path, read top to bottom.
 *
 * 1. Identify the kind and both versions from the object and the request.
 * 2. Decode the body (everything but apiVersion, kind, metadata) with its version's codec.
 * 3. If the object carries a stash from a conversion out of another version, go back to that
 *    version first and restore it: the richest form of the object is the starting point, which
 *    makes every route give the same answer.
 * 4. Convert along the route, then straight back, and stash whatever did not come back.
 * 5. Reassemble: apiVersion and kind set by the framework, metadata exactly as it came except for
 *    the stash annotation.
 */
export function convertObject(registry: Registry, object: unknown, desiredAPIVersion: string): ConvertResult {
  if (!isJsonObject(object)) return fail('NotAnObject', 'the object is not a JSON object');
  const { apiVersion, kind: kindName, metadata: rawMetadata, ...body } = object;
  if (typeof apiVersion !== 'string' || typeof kindName !== 'string') {
    return fail('BadApiVersion', `${describeObject(object)}: apiVersion and kind must be strings`);
  }
  const source = splitApiVersion(apiVersion);
  const target = splitDesired(desiredAPIVersion);
  // Messages name the object and the route; built only when something fails (`about()`).
  const about = () => `${describeObject(object)} (${apiVersion} -> ${desiredAPIVersion})`;
  if (source.group !== target.group) {
    return fail(
      'GroupMismatch',
      `${about()}: cannot convert between API groups ${source.group || '(core)'} and ${target.group || '(core)'}`,
    );
  }
  const kind = registry.lookup(source.group, kindName);
  if (!kind) {
    return fail(
      'UnknownKind',
      `${about()}: no converter is registered for kind ${kindName} in group ${source.group || '(core)'}`,
    );
  }
  const undeclared = !kind.versions.has(source.version)
    ? source.version
    : !kind.versions.has(target.version)
      ? target.version
      : undefined;
  if (undeclared !== undefined) {
    return fail(
      'UnknownVersion',
      `${about()}: version ${undeclared} is not declared for ${kindName} (declared: ${[...kind.versions.keys()].join(', ')})`,
    );
  }
  const metadata = Object.hasOwn(object, 'metadata') ? rawMetadata : ABSENT;
  if (metadata !== ABSENT && metadata !== null && !isJsonObject(metadata)) {
    return fail('BadMetadata', `${about()}: metadata must be an object`);
  }
  if (source.version === target.version) return { ok: true, object, from: source.version, stash: 'none' };

  try {
    const sourceVersion = kind.versions.get(source.version)!;
    // How valid the input is decides what the output must be: a whole, valid object converts to
    // a whole, valid one; a partial (server-side apply) or stale one at least loses nothing to
    // pruning. Conversion never makes an object less valid than it came.
    const level = sourceVersion.validator.valid(body)
      ? 'strict'
      : sourceVersion.validator.pruneFree(body)
        ? 'prune'
        : undefined;
    // Either level implies what the decoder checks (types and shape; a property test holds the
    // validator to that), so the decoder only runs for objects neither level admits.
    const problems = level === undefined ? decodeProblems(sourceVersion.decoder, body) : [];
    if (problems.length) {
      return {
        ok: false,
        from: source.version,
        failure: {
          reason: 'DecodeFailed',
          version: source.version,
          paths: problems.map((p) => p.path),
          message: `${about()}: does not match ${kindName} ${source.version}: ${formatProblems(problems)}`,
        },
      };
    }
    const taken = takeStash(metadata);
    const carried = checkOrigin(taken.stash, kind, source.version);
    const baseMetadata = carried === taken.stash ? taken.metadata : metadata;
    const rich = richestForm(kind, source.version, body, carried, level === 'strict');
    // The last hop's output is checked below by the target's validator, which implies its decoder.
    const steps = applyRouteSteps(kind, rich.version, target.version, rich.body, level ? 'all but the last' : true);
    const converted = steps.length ? steps[steps.length - 1]!.body : rich.body;
    if (level !== undefined) {
      const targetValidator = kind.versions.get(target.version)!.validator;
      if (!(level === 'strict' ? targetValidator.valid(converted) : targetValidator.pruneFree(converted))) {
        // A body the decoder refuses is the last converter's bug, named as every other hop's is.
        if (steps.length) checkHop(kind, kind.route(rich.version, target.version).at(-1)!, converted);
        const problems = formatValidationProblems(targetValidator.problems(converted, level));
        return fail(
          'ConverterFailed',
          `${about()}: converting gave an object ${target.version} does not admit (${problems}); the converters of ${kindName} must be fixed`,
          source.version,
        );
      }
    }
    const stash = stashFor(kind, rich, steps, target.version);
    const outMetadata = stash ? putStash(baseMetadata, stash) : baseMetadata;
    if (stash && annotationsSize(outMetadata) > ANNOTATIONS_LIMIT_BYTES) {
      return fail(
        'StashTooLarge',
        `${about()}: the fields ${target.version} cannot hold need ${annotationsSize(outMetadata) - annotationsSize(baseMetadata)} bytes in the stash annotation, which takes the object's annotations over the apiserver's limit of ${ANNOTATIONS_LIMIT_BYTES} bytes; converting would lose data, so it is refused`,
        source.version,
      );
    }
    const assembled = assemble(desiredAPIVersion, kindName, outMetadata, converted);
    // A refused stash is reported (logged and counted) even when a new one is written.
    const outcome = rich.problem !== undefined ? 'rejected' : stash ? 'written' : rich.outcome;
    return rich.problem !== undefined
      ? { ok: true, from: source.version, object: assembled, stash: outcome, stashProblem: rich.problem }
      : { ok: true, from: source.version, object: assembled, stash: outcome };
  } catch (e) {
    if (e instanceof ConverterBug) return fail('ConverterFailed', `${about()}: ${e.message}`, source.version);
    if (e instanceof RangeError)
      return fail('TooDeep', `${about()}: the object is nested too deeply to convert`, source.version);
    throw e;
  }
}

function fail(reason: ConversionFailure['reason'], message: string, from?: string): ConvertResult {
  return { ok: false, failure: { reason, message } as ConversionFailure, ...(from !== undefined && { from }) };
}

/**
 * A stash must name a version of the kind other than the object's own: the framework never
 * writes anything else. Such a stash is treated as malformed: left in place and reported.
 */
function checkOrigin(carried: ReadStash, kind: RegisteredKind, version: string): ReadStash {
  if (carried.kind !== 'found') return carried;
  const { origin } = carried.stash;
  if (!kind.versions.has(origin))
    return { kind: 'malformed', reason: `the stash names version ${origin}, which ${kind.def.kind} does not declare` };
  if (origin === version) return { kind: 'malformed', reason: `the stash names the object's own version ${origin}` };
  return carried;
}

interface RichForm {
  readonly version: string;
  readonly body: unknown;
  readonly outcome: StashOutcome;
  /** Why the stash, or some of its entries, were refused (malformed, or invalid once restored). */
  readonly problem?: string;
}

/**
 * The starting point of a conversion. Without a stash it is the object as sent. With a stash that
 * came from converting out of `origin`, it is the object converted back to `origin` with the
 * stashed values restored, provided that changes nothing the source version shows (restoring
 * must never undo an edit) and makes the object no less valid in `origin` than the plain trip
 * back: anyone can write a stash annotation with matching fingerprints, so a stashed value is
 * trusted no more than a value sent in `origin` directly, which the apiserver would have checked
 * against its schema. Entries that would break the schema (a bound, a required field, a pattern,
 * a field the schema prunes) are refused and reported; the others are restored. If even the plain
 * trip back cannot reproduce what the source version shows, the source holds edits that `origin`
 * cannot express: it becomes the starting point and the old stash is superseded.
 */
function richestForm(
  kind: RegisteredKind,
  version: string,
  body: unknown,
  carried: ReadStash,
  whole: boolean,
): RichForm {
  if (carried.kind === 'malformed') return { version, body, outcome: 'rejected', problem: carried.reason };
  if (carried.kind !== 'found') return { version, body, outcome: 'none' };
  const { origin } = carried.stash;
  const originVersion = kind.versions.get(origin)!;

  const plain = applyRoute(kind, version, origin, body);
  let entries = carried.stash.entries;
  let restored = restoreEntries(plain, entries);
  let problem: string | undefined;
  // What the origin's validator admits, its decoder admits too: no need to decode it again.
  const admitted: unknown = restored !== plain && originVersion.validator.valid(restored) ? restored : undefined;
  if (restored !== plain && admitted === undefined) {
    // Compare with the plain trip: a partial object may lack required fields either way.
    const refused = newProblems(originVersion.validator, plain, restored, whole);
    if (refused.length) {
      problem = `stash entries refused: restoring them would give a ${origin} object its schema does not admit (${formatValidationProblems(refused)})`;
      entries = entries.filter((e) => !refused.some((p) => overlaps(e.p, p.path)));
      restored = restoreEntries(plain, entries);
      if (newProblems(originVersion.validator, plain, restored, whole).length) restored = plain;
    }
  }
  const outcome = (o: StashOutcome): StashOutcome => (problem === undefined ? o : 'rejected');
  // Whether a candidate converts back to exactly what the source version shows. The last hop's
  // output is only compared with `body`, which is decoded: equal to it, it decodes too.
  const showsBody = (candidate: unknown) =>
    jsonEqual(applyRoute(kind, origin, version, candidate, 'all but the last'), body);
  const shows = (candidate: unknown) =>
    (candidate === admitted || decodeProblems(originVersion.decoder, candidate).length === 0) && showsBody(candidate);
  let fits = restored !== plain && shows(restored);
  if (restored !== plain && !fits && entries.length <= SINGLY) {
    // Some entry contradicts the edit (a value hidden only while its neighbour was absent):
    // restore the others, each tried on its own first. Bounded, so that a stash of many entries
    // cannot make this cost one conversion per entry.
    const fitting = entries.filter((e) => {
      const one = restoreEntries(plain, [e]);
      return one !== plain && shows(one);
    });
    restored = restoreEntries(plain, fitting);
    fits = restored !== plain && shows(restored);
  }
  if (fits) {
    return { version: origin, body: restored, outcome: outcome('restored'), ...(problem !== undefined && { problem }) };
  }
  if (showsBody(plain))
    return { version: origin, body: plain, outcome: outcome('superseded'), ...(problem !== undefined && { problem }) };
  return { version, body, outcome: outcome('superseded'), ...(problem !== undefined && { problem }) };
}

/** Up to how many stash entries are tried one by one when restoring them all contradicts an edit. */
const SINGLY = 16;

/**
 * Problems `after` has that `before` has not (by place and kind). A missing required field counts
 * only for a whole object: a partial one (server-side apply sends one manager's fields) may have
 * stashed values that are partial too.
 */
function newProblems(v: Validator, before: unknown, after: unknown, whole: boolean): ValidationProblem[] {
  const key = (p: ValidationProblem) => `${p.kind} ${canonicalJson(p.path)}`;
  const had = new Set(v.problems(before).map(key));
  return v.problems(after).filter((p) => (whole || p.kind !== 'missing') && !had.has(key(p)));
}

/** One path is a prefix of the other (or they are equal). */
const overlaps = (a: JsonPath, b: JsonPath): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * What the conversion from `rich` to `target` loses, relative to the version nearest the target
 * that still holds everything: on a route v1 -> v1beta1 -> v1alpha1 where v1beta1 holds the whole
 * object, the stash is kept relative to v1beta1. That makes the stash the same whichever route
 * the object took (v1 -> v1alpha1 directly, or through v1beta1 first).
 */
function stashFor(
  kind: RegisteredKind,
  rich: { version: string; body: unknown },
  steps: ReadonlyArray<{ version: string; body: unknown }>,
  target: string,
): Stash | undefined {
  if (steps.length === 0) return undefined;
  const converted = steps[steps.length - 1]!.body;
  const back: TripBack = {
    route: kind.route(target, rich.version),
    steps: applyRouteSteps(kind, target, rich.version, converted, false),
  };
  const lost = differences(rich.body, back.steps.length ? back.steps[back.steps.length - 1]!.body : converted);
  if (lost.length === 0) return undefined;
  for (let i = steps.length - 2; i >= 0; i--) {
    const { version, body } = steps[i]!;
    const returned = backTo(kind, target, version, converted, back);
    // Does `version` hold everything? Known without converting when the trip back came through it
    // unchanged and went on from there by the very route `version` would take: then it arrived
    // where the whole trip did, and something was lost.
    if (returned.along && jsonEqual(returned.body, body) && continuesAlong(kind, version, rich.version, back)) continue;
    if (!jsonEqual(applyRoute(kind, version, rich.version, body, false), rich.body)) continue;
    return { origin: version, entries: stashEntries(body, differences(body, returned.body)) };
  }
  return { origin: rich.version, entries: stashEntries(rich.body, lost) };
}

/** The trip from the target back to the richest form: its route and the body at each version. */
interface TripBack {
  readonly route: readonly unknown[];
  readonly steps: ReadonlyArray<{ readonly body: unknown }>;
}

/**
 * The converted body taken back to `version`: read off the trip back already made when that trip
 * went through `version` by the very route a later restore will take (`along`; a converter call
 * saved), converted again otherwise.
 */
function backTo(
  kind: RegisteredKind,
  target: string,
  version: string,
  converted: unknown,
  back: TripBack,
): { readonly body: unknown; readonly along: boolean } {
  const route = kind.route(target, version);
  const along = route.length <= back.route.length && route.every((converter, i) => back.route[i] === converter);
  return along
    ? { body: back.steps[route.length - 1]!.body, along }
    : { body: applyRoute(kind, target, version, converted, false), along };
}

/** Whether the trip back went on from `version` to `home` by the route `version` itself takes there. */
function continuesAlong(kind: RegisteredKind, version: string, home: string, back: TripBack): boolean {
  const rest = kind.route(version, home);
  const offset = back.route.length - rest.length;
  return offset > 0 && rest.every((converter, i) => back.route[offset + i] === converter);
}

function assemble(apiVersion: string, kind: string, metadata: unknown, body: unknown): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = body as Record<string, unknown>;
  return metadata === ABSENT ? { apiVersion, kind, ...rest } : { apiVersion, kind, metadata, ...rest };
}
