import type { Converter } from './defineKind.js';

/** The converters to apply, in order, to take a body from one version to another. */
export type Route = readonly Converter[];

/**
 * Shortest routes between every ordered pair of versions (breadth-first search over the
 * converters). Ties go to the route through versions declared earlier, so routing is
 * deterministic. Computed once at start-up: a kind has a handful of versions.
 */
export function findRoutes(
  versions: readonly string[],
  converters: readonly Converter[],
): { routes: Map<string, Map<string, Route>>; unreachable: Array<[string, string]> } {
  const order = new Map(versions.map((v, i) => [v, i]));
  const outgoing = new Map<string, Converter[]>(versions.map((v) => [v, []]));
  for (const c of converters) outgoing.get(c.from)?.push(c);
  for (const list of outgoing.values()) list.sort((a, b) => order.get(a.to)! - order.get(b.to)!);

  const routes = new Map<string, Map<string, Route>>();
  const unreachable: Array<[string, string]> = [];
  for (const from of versions) {
    const found = new Map<string, Route>([[from, []]]);
    const queue = [from];
    while (queue.length) {
      const at = queue.shift()!;
      for (const c of outgoing.get(at)!) {
        if (found.has(c.to)) continue;
        found.set(c.to, [...found.get(at)!, c]);
        queue.push(c.to);
      }
    }
    for (const to of versions) if (!found.has(to)) unreachable.push([from, to]);
    routes.set(from, found);
  }
  return { routes, unreachable };
}
