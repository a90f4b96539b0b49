// Shared helpers of the chart tests: where things are, reading YAML, walking values, running helm.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chartDir = path.join(repoRoot, 'helm', 'crdconv');
export const chartCrdsDir = path.join(chartDir, 'files', 'crds');
export const repoCrdsDir = path.join(repoRoot, 'crds');
export const templatesDir = path.join(chartDir, 'templates');
export const dockerfile = path.join(repoRoot, 'helm', 'Dockerfile');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export function readYamlFile(file: string): unknown {
  return YAML.parse(readText(file));
}

export function readJsonFile(file: string): unknown {
  return JSON.parse(readText(file));
}

export function loadValues(): JsonObject {
  const values = readYamlFile(path.join(chartDir, 'values.yaml'));
  if (!isObject(values)) throw new Error('values.yaml is not a mapping');
  return values;
}

/** Files of a folder matching a suffix, sorted; none when the folder does not exist. */
export function listFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(suffix)).sort();
}

/**
 * Dotted key paths of a values tree. A leaf is a scalar, a list or an empty map: the places a
 * user sets a value. Non-empty maps are walked into.
 */
export function leafPaths(value: Json, prefix = ''): string[] {
  if (!isObject(value) || Object.keys(value).length === 0) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** Every dotted key path of a values tree, maps included. */
export function allPaths(value: Json, prefix = ''): string[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    return [here, ...allPaths(child, here)];
  });
}

/** The helm binary to use: $HELM, or `helm` on PATH; undefined when neither runs. */
export function findHelm(): string | undefined {
  const candidate = process.env['HELM'] ?? 'helm';
  const probe = spawnSync(candidate, ['version', '--short'], { encoding: 'utf8' });
  return probe.status === 0 ? candidate : undefined;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: string, args: string[]): HelmResult {
  const result = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface Manifest extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject;
}

/** `helm template` of a chart, parsed into its objects; throws with helm's message on failure. */
export function helmTemplate(helm: string, args: string[], chart = chartDir): Manifest[] {
  const result = runHelm(helm, ['template', ...args, chart]);
  if (result.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): Manifest[] {
  return YAML.parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((obj): obj is Manifest => isObject(obj) && typeof obj['kind'] === 'string');
}

export function findManifest(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && (name === undefined || m.metadata['name'] === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among: ${manifests.map((m) => `${m.kind}/${String(m.metadata['name'])}`).join(', ')}`);
  return found;
}

/** Reads a nested value by a path of keys and list indexes; undefined when any step is missing. */
export function at(value: unknown, ...steps: (string | number)[]): unknown {
  let here: unknown = value;
  for (const step of steps) {
    if (typeof step === 'number') here = Array.isArray(here) ? here[step] : undefined;
    else here = isObject(here) ? here[step] : undefined;
  }
  return here;
}
