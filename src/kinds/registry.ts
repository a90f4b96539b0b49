import type * as t from 'io-ts';
import { lenient } from '../interpreters/lenient.js';
import { validator, type Validator } from '../validate/validator.js';
import type { Converter, Kind, Version } from './defineKind.js';
import { findRoutes, type Route } from './route.js';

/** A kind ready to serve: its versions by name, their decoders, and a route between every pair. */
export interface RegisteredKind {
  readonly def: Kind;
  readonly versions: ReadonlyMap<string, RegisteredVersion>;
  readonly storageVersion: string;
  /** `route(from, to)` is the list of converters to apply in order; empty when from === to. */
  readonly route: (from: string, to: string) => Route;
}

export interface RegisteredVersion {
  readonly def: Version;
  /** Checks types and shape, not presence (see interpreters/lenient). */
  readonly decoder: t.Mixed;
  /** Checks what the apiserver would hold: constraints, required fields, nothing pruned (see validate/validator). */
  readonly validator: Validator;
}

export interface Registry {
  readonly kinds: readonly RegisteredKind[];
  /** The kind for an object's group and kind, or undefined when no converter serves it. */
  readonly lookup: (group: string, kind: string) => RegisteredKind | undefined;
}

/** Thrown at start-up: the service refuses to run with converters that cannot serve every pair. */
export class RegistryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the converter registry is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegistryError';
  }
}

const key = (group: string, kind: string) => `${group}/${kind}`;

export function createRegistry(kinds: readonly Kind[]): Registry {
  const problems: string[] = [];
  const byKey = new Map<string, RegisteredKind>();
  for (const def of kinds) {
    const id = key(def.group, def.kind);
    if (byKey.has(id)) {
      problems.push(`${id}: kind declared twice`);
      continue;
    }
    const registered = registerKind(def, problems);
    if (registered) byKey.set(id, registered);
  }
  if (problems.length) throw new RegistryError(problems);
  const list = [...byKey.values()];
  // Group, then kind: the lookup runs for every object converted, and needs no key string.
  const byGroup = new Map<string, Map<string, RegisteredKind>>();
  for (const k of list) {
    const kindsOfGroup = byGroup.get(k.def.group) ?? new Map<string, RegisteredKind>();
    kindsOfGroup.set(k.def.kind, k);
    byGroup.set(k.def.group, kindsOfGroup);
  }
  return { kinds: list, lookup: (group, kind) => byGroup.get(group)?.get(kind) };
}

function registerKind(def: Kind, problems: string[]): RegisteredKind | undefined {
  const id = key(def.group, def.kind);
  const before = problems.length;
  const versions = new Map<string, RegisteredVersion>();
  for (const v of def.versions) {
    if (versions.has(v.name)) problems.push(`${id}: version ${v.name} declared twice`);
    versions.set(v.name, { def: v, decoder: lenient(v.codec), validator: validator(v.codec) });
  }
  if (versions.size === 0) problems.push(`${id}: no versions declared`);
  const storage = def.versions.filter((v) => v.storage);
  if (storage.length !== 1) {
    problems.push(
      `${id}: exactly one version must be the storage version, found ${storage.length ? storage.map((v) => v.name).join(', ') : 'none'}`,
    );
  }
  const seen = new Set<string>();
  for (const c of def.converters) {
    const edge = `${c.from} -> ${c.to}`;
    if (seen.has(edge)) problems.push(`${id}: converter ${edge} registered twice`);
    seen.add(edge);
    for (const end of [c.from, c.to]) {
      if (!versions.has(end)) problems.push(`${id}: converter ${edge} names version ${end}, which has no codec`);
    }
    if (c.from === c.to) problems.push(`${id}: converter ${edge} converts a version to itself`);
  }
  const { routes, unreachable } = findRoutes(
    def.versions.map((v) => v.name),
    def.converters.filter((c) => versions.has(c.from) && versions.has(c.to)),
  );
  for (const [from, to] of unreachable) problems.push(`${id}: no chain of converters leads from ${from} to ${to}`);
  if (problems.length > before) return undefined;
  return {
    def,
    versions,
    storageVersion: storage[0]!.name,
    route: (from, to) => routes.get(from)!.get(to)!,
  };
}

export type { Converter };
