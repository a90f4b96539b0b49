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
 * Take a body along the route between two versions. The input has already been decoded; every
 * hop's output is decoded against its version before the next converter sees it, so a converter
 * bug is reported where it happens instead of reaching the apiserver. Trips made only to see
 * what a conversion loses (`check = false`) skip that: their result never leaves the service,
 * and whatever they get wrong shows up as a difference and is stashed.
 */
export function applyRoute(kind: RegisteredKind, from: string, to: string, body: unknown, check = true): unknown {
  const steps = applyRouteSteps(kind, from, to, body, check);
  return steps.length ? steps[steps.length - 1]!.body : body;
}

/** Like applyRoute, keeping the body reached at every version on the way. */
export function applyRouteSteps(
  kind: RegisteredKind,
  from: string,
  to: string,
  body: unknown,
  check = true,
): Array<{ version: string; body: unknown }> {
  const steps: Array<{ version: string; body: unknown }> = [];
  let at = body;
  for (const converter of kind.route(from, to)) {
    let next: unknown;
    try {
      next = converter.convert(at as never);
    } catch (e) {
      if (e instanceof RangeError) throw e; // too deep: reported as such by the caller
      throw new ConverterBug(converter.from, converter.to, `threw: ${(e as Error)?.message ?? String(e)}`);
    }
    const problems = check ? decodeProblems(kind.versions.get(converter.to)!.decoder, next) : [];
    if (problems.length)
      throw new ConverterBug(
        converter.from,
        converter.to,
        `produced an invalid ${converter.to} object: ${formatProblems(problems)}`,
      );
    at = next;
    steps.push({ version: converter.to, body: next });
  }
  return steps;
}
