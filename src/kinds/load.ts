import { readFileSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kind } from './defineKind.js';
import { createRegistry, RegistryError, type Registry } from './registry.js';

/**
 * Where the kinds a command serves come from, in this order:
 *
 *   1. `--kinds <module>` (or its environment variable, CRDCONV_KINDS: the CLI reads both);
 *   2. `crdconv.config.json` in the working directory: `{ "kinds": "./dist/kinds/index.js" }`,
 *      the path relative to the config file;
 *   3. the example kinds shipped with crdconv (converters/index.ts), which `npm start` serves.
 *
 * The module exports `kinds` (an array of kinds declared with `defineKind`), or has them as its
 * default export (the array, or an object with a `kinds` array).
 */
export const KINDS_ENV = 'CRDCONV_KINDS';
export const CONFIG_FILE = 'crdconv.config.json';
const CONFIG_KEYS = ['kinds'] as const;

/** A kinds module that is missing, does not import, or exports no kinds; the message says which. */
export class KindsLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KindsLoadError';
  }
}

export interface LoadedKinds {
  readonly kinds: readonly Kind[];
  /** Where they came from, for logs: `--kinds ./dist/kinds.js`, `crdconv.config.json (...)`, ... */
  readonly source: string;
  /** Things worth a line on stderr that do not stop the command. */
  readonly warnings: readonly string[];
}

export interface LoadKindsOptions {
  /** Directory relative module paths and the config file are looked up in (default: cwd). */
  readonly cwd?: string;
}

/** The shipped example kinds, used when nothing else names a module. */
export const SHIPPED_KINDS_SOURCE = 'the example kinds shipped with crdconv';

/**
 * The kinds named by `spec` (a module path, as given to --kinds or CRDCONV_KINDS), else by
 * crdconv.config.json, else the shipped examples. Throws KindsLoadError with a message fit
 * for the user.
 */
export async function loadKinds(spec: string | undefined, options: LoadKindsOptions = {}): Promise<LoadedKinds> {
  const cwd = options.cwd ?? process.cwd();
  if (spec !== undefined && spec.trim() === '')
    throw new KindsLoadError(`--kinds (or ${KINDS_ENV}) is empty: give the path of the module exporting your kinds`);
  if (spec !== undefined) return loadKindsModule(resolve(cwd, spec), `--kinds ${spec}`);
  const config = await readConfig(cwd);
  if (config) return loadKindsModule(config.kinds, `${config.file} ("kinds": ${JSON.stringify(config.raw)})`);
  const shipped = (await import('../../converters/index.js')) as Record<string, unknown>;
  return { kinds: kindsOf(shipped, SHIPPED_KINDS_SOURCE), source: SHIPPED_KINDS_SOURCE, warnings: [] };
}

/** loadKinds, then the registry; a registry that refuses (RegistryError) is thrown as it is. */
export async function loadRegistry(
  spec: string | undefined,
  options: LoadKindsOptions = {},
): Promise<LoadedKinds & { readonly registry: Registry }> {
  const loaded = await loadKinds(spec, options);
  try {
    return { ...loaded, registry: createRegistry(loaded.kinds) };
  } catch (e) {
    if (e instanceof RegistryError) throw new KindsLoadError(`${loaded.source}: ${e.message}`, { cause: e });
    throw e;
  }
}

async function readConfig(cwd: string): Promise<{ file: string; kinds: string; raw: string } | undefined> {
  const file = join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KindsLoadError(`${file}: ${(e as Error).message}`, { cause: e });
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new KindsLoadError(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new KindsLoadError(`${file} must hold a JSON object such as {"kinds": "./dist/kinds/index.js"}`);
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length)
    throw new KindsLoadError(
      `${file}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${CONFIG_KEYS.join(', ')})`,
    );
  const kinds = (config as { kinds?: unknown }).kinds;
  if (typeof kinds !== 'string' || kinds.trim() === '')
    throw new KindsLoadError(
      `${file}: "kinds" must be the path of the module exporting your kinds, relative to the file, e.g. "./dist/kinds/index.js"`,
    );
  return { file, kinds: resolve(dirname(file), kinds), raw: kinds };
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

async function loadKindsModule(path: string, source: string): Promise<LoadedKinds> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new KindsLoadError(`${source}: no such file ${path}${await missingHint(path)}`, { cause: e });
  }
  if (info.isDirectory())
    throw new KindsLoadError(`${source}: ${path} is a directory; name the module file, e.g. ${join(path, 'index.js')}`);
  const ns = await importKindsModule(path, source);
  const warnings: string[] = [];
  const other = otherCrdconv(path);
  if (other)
    warnings.push(
      `${source} imports crdconv from ${other}, but this command runs the crdconv in ${PACKAGE_ROOT ?? '(unknown)'}: ` +
        'leaves registered by the module (registerLeafSchema) are unknown here. Run the crdconv your project depends on (npx crdconv).',
    );
  return { kinds: kindsOf(ns, source), source, warnings };
}

async function importKindsModule(path: string, source: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !TYPESCRIPT.has(extname(path)))
      throw importError(source, e);
  }
  // A TypeScript module and no loader for it: use the project's tsx, as `node --import tsx` would.
  let tsx: string;
  try {
    tsx = createRequire(path).resolve('tsx');
  } catch {
    throw new KindsLoadError(
      `${source}: ${path} is TypeScript, which node does not load by itself. Compile it (tsc) and name the .js file, ` +
        'or install tsx in your project (npm install --save-dev tsx) and crdconv will load it with tsx',
    );
  }
  await import(pathToFileURL(tsx).href);
  try {
    // Another URL than the one that failed: a failed import stays failed for its URL.
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  } catch (e) {
    throw importError(source, e);
  }
}

const importError = (source: string, e: unknown): KindsLoadError =>
  new KindsLoadError(`${source}: the module could not be imported: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });

async function missingHint(path: string): Promise<string> {
  const ext = extname(path);
  const exists = (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  if (ext === '.js' && (await exists(path.slice(0, -3) + '.ts')))
    return ` (there is a .ts file of that name: compile it first, or name the .ts file)`;
  if (ext === '' && (await exists(path + '.js'))) return ` (did you mean ${path}.js?)`;
  if (ext === '' && (await exists(path + '.ts'))) return ` (did you mean ${path}.ts?)`;
  return '';
}

/** The kinds a module exports: `kinds`, or the default export (an array, or `{ kinds }`). */
export function kindsOf(ns: Record<string, unknown>, source: string): Kind[] {
  const dflt = ns['default'];
  const candidate =
    ns['kinds'] !== undefined
      ? { value: ns['kinds'], name: 'kinds' }
      : Array.isArray(dflt)
        ? { value: dflt, name: 'the default export' }
        : typeof dflt === 'object' && dflt !== null && 'kinds' in dflt
          ? { value: (dflt as { kinds: unknown }).kinds, name: 'the default export .kinds' }
          : undefined;
  if (!candidate) {
    const names = Object.keys(ns).filter((k) => k !== 'default' || ns[k] !== undefined);
    throw new KindsLoadError(
      `${source}: the module exports no kinds: expected \`export const kinds: Kind[] = [...]\` or a default export ` +
        `of the kinds (it exports ${names.length ? names.join(', ') : 'nothing'})`,
    );
  }
  const { value, name } = candidate;
  if (!Array.isArray(value)) throw new KindsLoadError(`${source}: ${name} is not an array of kinds (${typeof value})`);
  if (value.length === 0) throw new KindsLoadError(`${source}: ${name} is an empty list: there is nothing to serve`);
  value.forEach((k, i) => {
    const problem = notAKind(k);
    if (problem)
      throw new KindsLoadError(`${source}: ${name}[${i}] is not a kind declared with defineKind (${problem})`);
  });
  return value as Kind[];
}

function notAKind(k: unknown): string | undefined {
  if (typeof k !== 'object' || k === null) return `it is ${k === null ? 'null' : typeof k}`;
  const o = k as Record<string, unknown>;
  for (const key of ['group', 'kind', 'plural', 'scope']) if (typeof o[key] !== 'string') return `no string ${key}`;
  for (const key of ['versions', 'converters']) if (!Array.isArray(o[key])) return `no ${key} array`;
  return undefined;
}

/** The folder of the crdconv package this file belongs to (found by walking up to its package.json). */
const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'crdconv')
        return realpathSync(dir);
    } catch {
      // no package.json here, or not JSON: go on up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
})();

/** When the module resolves `crdconv` to another copy than the one running, that copy's folder. */
function otherCrdconv(path: string): string | undefined {
  let theirs: string;
  try {
    theirs = realpathSync(dirname(createRequire(path).resolve('crdconv/package.json')));
  } catch {
    return undefined; // the module does not import crdconv by name (or cannot: it will say so)
  }
  return PACKAGE_ROOT === undefined || theirs === PACKAGE_ROOT ? undefined : theirs;
}
