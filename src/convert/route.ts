import type { RegisteredKind } from '../kinds/registry.js';
import { decodeProblems, formatProblems } from './decode.js';

/** A converter threw or returned a body its target version's codec rejects: a bug in converters/. */
export class ConverterBug extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
    detail: string,
  ) {
    super(`converter ${from} -> ${to} ${detail}`);
    this.name = 'ConverterBug';
  }
}

/**
 * How much of a route's output is decoded on the way:
 * - `true`: every hop's output, against its version, before the next converter sees it, so a
 *   converter bug is reported where it happens instead of reaching the apiserver;
 * - `'all but the last'`: the same, except the last hop, for a caller that checks the final body
 *   itself with something at least as strict as the decoder (the validator);
 * - `false`: none, for trips made only to see what a conversion loses: their result never leaves
 *   the service, and whatever they get wrong shows up as a difference and is stashed.
 */
export type HopCheck = boolean | 'all but the last';

/** Take a body along the route between two versions. The input has already been decoded. */
export function applyRoute(
  kind: RegisteredKind,
  from: string,
  to: string,
  body: unknown,
  check: HopCheck = true,
): unknown {
  const steps = applyRouteSteps(kind, from, to, body, check);
  return steps.length ? steps[steps.length - 1]!.body : body;
}

/** Like applyRoute, keeping the body reached at every version on the way. */
export function applyRouteSteps(
  kind: RegisteredKind,
  from: string,
  to: string,
  body: unknown,
  check: HopCheck = true,
): Array<{ version: string; body: unknown }> {
  const steps: Array<{ version: string; body: unknown }> = [];
  const route = kind.route(from, to);
  let at = body;
  for (let i = 0; i < route.length; i++) {
    const converter = route[i]!;
    let next: unknown;
    try {
      next = converter.convert(at as never);
    } catch (e) {
      if (e instanceof RangeError) throw e; // too deep: reported as such by the caller
      throw new ConverterBug(converter.from, converter.to, `threw: ${(e as Error)?.message ?? String(e)}`);
    }
    if (check === true || (check !== false && i < route.length - 1)) checkHop(kind, converter, next);
    at = next;
    steps.push({ version: converter.to, body: next });
  }
  return steps;
}

/** Decode what a converter returned against its target version; a ConverterBug if it does not fit. */
export function checkHop(kind: RegisteredKind, converter: { from: string; to: string }, body: unknown): void {
  const problems = decodeProblems(kind.versions.get(converter.to)!.decoder, body);
  if (problems.length)
    throw new ConverterBug(
      converter.from,
      converter.to,
      `produced an invalid ${converter.to} object: ${formatProblems(problems)}`,
    );
}
