import { Option } from 'commander';
import { CONFIG_FILE, KINDS_ENV, loadKinds, loadRegistry, type LoadedKinds } from '../kinds/load.js';
import type { Registry } from '../kinds/registry.js';

/** `--kinds <module>` (env CRDCONV_KINDS), shared by every command that works on kinds. */
export const kindsOption = (): Option =>
  new Option(
    '--kinds <module>',
    `module exporting your kinds (\`export const kinds\` or a default export), .js, or .ts with tsx installed; ` +
      `default: "kinds" of ./${CONFIG_FILE}, else the example kinds shipped with crdconv`,
  ).env(KINDS_ENV);

const warn = (loaded: LoadedKinds) => {
  for (const w of loaded.warnings) process.stderr.write(`crdconv: warning: ${w}\n`);
};

/** The kinds for `--kinds` (undefined: config file or shipped examples), warnings on stderr. */
export async function kindsFor(spec: string | undefined): Promise<LoadedKinds> {
  const loaded = await loadKinds(spec);
  warn(loaded);
  return loaded;
}

/** The registry for `--kinds`, warnings on stderr. */
export async function registryFor(spec: string | undefined): Promise<LoadedKinds & { readonly registry: Registry }> {
  const loaded = await loadRegistry(spec);
  warn(loaded);
  return loaded;
}
