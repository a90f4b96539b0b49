import { isAbsolute, relative } from 'node:path';
import { apiFailure, describeFailure } from '../apiErrors.js';
import type { CheckApi } from './checkApi.js';
import { checkClusterCrd, compareWithManifest } from './compareCrd.js';
import { problem, type Finding } from './findings.js';
import { findCrdManifest, type Json } from './manifest.js';
import { probeServedVersions } from './probeVersions.js';

/** Relative to the current directory when inside it, as given otherwise. */
const displayPath = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
};

export interface CheckOptions {
  readonly crdName: string;
  /** Where the generated CRD files are (`crdconv crds` writes crds/). */
  readonly crdsDir: string;
  /** Read one object per served version through the apiserver. */
  readonly read: boolean;
}

/**
 * Checks a CRD in the cluster: against the generated file, on its own (caBundle,
 * preserveUnknownFields, storedVersions), then by reading through the apiserver.
 */
export async function runCheck(api: CheckApi, options: CheckOptions): Promise<Finding[]> {
  let cluster: Json;
  try {
    cluster = await api.readCrdJson(options.crdName);
  } catch (err) {
    const failure = apiFailure(err);
    const hint = failure.code === 404 ? ` (apply ${options.crdsDir}/${options.crdName}.yaml first)` : '';
    return [problem(`reading CustomResourceDefinition ${options.crdName} failed: ${describeFailure(failure)}${hint}`)];
  }

  const findings: Finding[] = [];
  try {
    const manifest = findCrdManifest(options.crdsDir, options.crdName);
    if (manifest) findings.push(...compareWithManifest(cluster, manifest.crd, displayPath(manifest.file)));
    else
      findings.push(
        problem(
          `no generated CRD named ${options.crdName} in ${options.crdsDir}/: run npm run crds (or pass --crds-dir)`,
        ),
      );
  } catch (err) {
    findings.push(problem(`reading the generated CRD failed: ${(err as Error).message}`));
  }
  findings.push(...checkClusterCrd(cluster, options.crdName));
  if (options.read) findings.push(...(await probeServedVersions(api, cluster)));
  return findings;
}
