import { formatVersions } from '../crdInfo.js';
import { ok, problem, warning, type Finding } from './findings.js';
import { brief, jsonDiff } from './jsonDiff.js';
import type { Json } from './manifest.js';

/** Raw CRD JSON, as the apiserver sends it or as the YAML file holds it. */
interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: unknown };
}

const versionsOf = (crd: Json): CrdVersion[] =>
  ((crd.spec as { versions?: CrdVersion[] } | undefined)?.versions ?? []).filter((v) => typeof v?.name === 'string');
const storedVersionsOf = (crd: Json): string[] =>
  (crd.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];

/** The conversion settings, with the apiserver's defaults filled in so absent and default compare equal. */
export interface ConversionView {
  readonly strategy: string;
  readonly reviewVersions: readonly string[];
  readonly service: { name?: string; namespace?: string; path: string; port: number } | undefined;
  readonly url: string | undefined;
  readonly caBundle: string | undefined;
}

export function conversionOf(crd: Json): ConversionView {
  const conversion = (crd.spec as { conversion?: Json } | undefined)?.conversion ?? {};
  const webhook = (conversion.webhook ?? {}) as { conversionReviewVersions?: string[]; clientConfig?: Json };
  const cc = webhook.clientConfig ?? {};
  const svc = cc.service as { name?: string; namespace?: string; path?: string; port?: number } | undefined;
  return {
    strategy: typeof conversion.strategy === 'string' ? conversion.strategy : 'None',
    reviewVersions: webhook.conversionReviewVersions ?? [],
    service: svc
      ? { name: svc.name, namespace: svc.namespace, path: svc.path ?? '/', port: svc.port ?? 443 }
      : undefined,
    url: typeof cc.url === 'string' ? cc.url : undefined,
    caBundle: typeof cc.caBundle === 'string' ? cc.caBundle : undefined,
  };
}

/** Versions present on both sides, served and storage flags. */
export function compareVersions(cluster: Json, manifest: Json, file: string): Finding[] {
  const inCluster = new Map(versionsOf(cluster).map((v) => [v.name, v]));
  const inFile = new Map(versionsOf(manifest).map((v) => [v.name, v]));
  const findings: Finding[] = [];
  for (const name of inFile.keys()) {
    if (!inCluster.has(name))
      findings.push(problem(`version ${name} is in ${file} but not in the cluster: apply the generated CRD`));
  }
  for (const name of inCluster.keys()) {
    if (!inFile.has(name)) {
      findings.push(
        problem(
          `version ${name} is in the cluster but not in ${file}: the cluster runs another CRD than the one generated (a version may leave only once it is out of status.storedVersions)`,
        ),
      );
    }
  }
  for (const [name, c] of inCluster) {
    const f = inFile.get(name);
    if (!f) continue;
    for (const flag of ['served', 'storage'] as const) {
      const cv = c[flag] === true;
      const fv = f[flag] === true;
      if (cv !== fv) findings.push(problem(`${name}: ${flag} is ${cv} in the cluster but ${fv} in ${file}`));
    }
  }
  if (findings.length === 0)
    findings.push(
      ok(`versions and their served/storage flags match ${file}: ${formatVersions([...inCluster.keys()])}`),
    );
  return findings;
}

/** Each common version's openAPIV3Schema, deep-compared; at most `maxPaths` paths per version. */
export function compareSchemas(cluster: Json, manifest: Json, file: string, maxPaths = 10): Finding[] {
  const inFile = new Map(versionsOf(manifest).map((v) => [v.name, v]));
  const findings: Finding[] = [];
  const compared: string[] = [];
  for (const c of versionsOf(cluster)) {
    const f = inFile.get(c.name);
    if (!f) continue;
    compared.push(c.name);
    const diffs = jsonDiff(c.schema?.openAPIV3Schema, f.schema?.openAPIV3Schema);
    for (const d of diffs.slice(0, maxPaths)) {
      findings.push(
        problem(
          `${c.name}: the schema differs at ${d.path}: ${brief(d.left)} in the cluster, ${brief(d.right)} in ${file}`,
        ),
      );
    }
    if (diffs.length > maxPaths)
      findings.push(problem(`${c.name}: the schema differs at ${diffs.length - maxPaths} more paths`));
  }
  if (findings.length === 0 && compared.length > 0) findings.push(ok(`schemas match ${file} (${compared.join(', ')})`));
  return findings;
}

/** Strategy, ConversionReview versions and where the webhook is reached. */
export function compareConversion(cluster: Json, manifest: Json, file: string): Finding[] {
  const c = conversionOf(cluster);
  const f = conversionOf(manifest);
  const findings: Finding[] = [];
  if (c.strategy !== f.strategy) {
    findings.push(problem(`conversion strategy is ${c.strategy} in the cluster but ${f.strategy} in ${file}`));
    return findings;
  }
  if (c.strategy !== 'Webhook') return [ok(`conversion strategy ${c.strategy}, as in ${file}`)];
  if (brief(c.reviewVersions, 200) !== brief(f.reviewVersions, 200)) {
    findings.push(
      problem(
        `conversionReviewVersions are ${formatVersions(c.reviewVersions)} in the cluster but ${formatVersions(f.reviewVersions)} in ${file}`,
      ),
    );
  }
  if (c.url !== f.url)
    findings.push(problem(`the webhook URL is ${brief(c.url)} in the cluster but ${brief(f.url)} in ${file}`));
  if (c.service && f.service) {
    if (c.service.path !== f.service.path)
      findings.push(
        problem(
          `the webhook path is ${c.service.path} in the cluster but ${f.service.path} in ${file}: the webhook would answer 404`,
        ),
      );
    if (c.service.port !== f.service.port)
      findings.push(problem(`the webhook port is ${c.service.port} in the cluster but ${f.service.port} in ${file}`));
    if (c.service.name !== f.service.name || c.service.namespace !== f.service.namespace) {
      // Deployments often rename the Service (Helm release names): worth a look, not an error.
      findings.push(
        warning(
          `the webhook Service is ${c.service.namespace}/${c.service.name} in the cluster but ${f.service.namespace}/${f.service.name} in ${file}`,
        ),
      );
    }
  } else if (Boolean(c.service) !== Boolean(f.service)) {
    findings.push(
      problem(
        `the webhook is reached by ${c.service ? 'a Service' : 'a URL'} in the cluster but by ${f.service ? 'a Service' : 'a URL'} in ${file}`,
      ),
    );
  }
  if (findings.length === 0)
    findings.push(
      ok(
        `conversion settings match ${file}: Webhook, reviews ${formatVersions(c.reviewVersions)}, path ${c.service?.path ?? c.url}`,
      ),
    );
  return findings;
}

const looksLikePemCertificate = (base64: string): boolean => {
  try {
    return Buffer.from(base64, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----');
  } catch {
    return false;
  }
};

/** A webhook reached through a Service needs the CA that signed its certificate. */
export function checkCaBundle(cluster: Json): Finding[] {
  const c = conversionOf(cluster);
  if (c.strategy !== 'Webhook') return [];
  if (!c.caBundle) {
    if (c.url) return [warning('no caBundle: the apiserver verifies the webhook URL against its own trusted roots')];
    return [
      problem(
        'no caBundle in spec.conversion.webhook.clientConfig: the apiserver cannot verify the webhook certificate, so every read in a version other than the stored one fails (inject it: cert-manager CA injector or the Helm chart)',
      ),
    ];
  }
  if (!looksLikePemCertificate(c.caBundle))
    return [problem('the caBundle does not decode to a PEM certificate (it must be base64 of the PEM CA)')];
  return [ok('caBundle present (a PEM certificate)')];
}

/** status.storedVersions against what is served. */
export function checkStoredVersions(cluster: Json, crdName: string): Finding[] {
  const versions = versionsOf(cluster);
  const stored = storedVersionsOf(cluster);
  const storage = versions.find((v) => v.storage)?.name;
  const findings: Finding[] = [];
  for (const s of stored) {
    const v = versions.find((x) => x.name === s);
    if (!v) findings.push(problem(`status.storedVersions lists ${s}, which is not in spec.versions`));
    else if (!v.served) {
      findings.push(
        problem(
          `status.storedVersions lists ${s}, which is no longer served: objects may still be stored in ${s}; run crdconv migrate --crd ${crdName}`,
        ),
      );
    }
  }
  const old = stored.filter((s) => s !== storage);
  if (findings.length === 0 && old.length > 0) {
    findings.push(
      warning(
        `objects may still be stored in ${old.join(', ')} (storedVersions ${formatVersions(stored)}): run crdconv migrate --crd ${crdName} before you stop serving ${old.length === 1 ? 'it' : 'them'}`,
      ),
    );
  }
  if (findings.length === 0)
    findings.push(ok(`status.storedVersions ${formatVersions(stored)}: only the storage version`));
  return findings;
}

/** `strategy: Webhook` requires preserveUnknownFields false. */
export function checkPreserveUnknownFields(cluster: Json): Finding[] {
  const preserve = (cluster.spec as { preserveUnknownFields?: boolean } | undefined)?.preserveUnknownFields === true;
  return preserve && conversionOf(cluster).strategy === 'Webhook'
    ? [problem('spec.preserveUnknownFields is true: webhook conversion requires it to be false')]
    : [];
}

/** Everything that compares the cluster's CRD with the generated file. */
export const compareWithManifest = (cluster: Json, manifest: Json, file: string): Finding[] => [
  ...compareVersions(cluster, manifest, file),
  ...compareSchemas(cluster, manifest, file),
  ...compareConversion(cluster, manifest, file),
];

/** Everything that needs the cluster's CRD only. */
export const checkClusterCrd = (cluster: Json, crdName: string): Finding[] => [
  ...checkCaBundle(cluster),
  ...checkPreserveUnknownFields(cluster),
  ...checkStoredVersions(cluster, crdName),
];
