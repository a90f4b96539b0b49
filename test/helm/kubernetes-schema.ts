// Validation of rendered objects against Kubernetes' schemas, in the spirit of `kubeconform -strict`:
// - types, required fields and formats by the JSON schemas of the kubernetes-models packages
//   (core API, cert-manager, Prometheus Operator);
// - unknown fields (a misspelled key the apiserver would drop or reject) by the attribute maps of
//   @kubernetes/client-node's model classes, for the core API kinds.
import * as clientNode from '@kubernetes/client-node';
import { isObject, type Manifest } from './chart.js';

interface Validatable {
  validate(): void;
}
type ModelConstructor = new (data: unknown) => Validatable;

/** Where the kubernetes-models class of an apiVersion lives. */
function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'cert-manager.io') return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelConstructor> {
  const specifier = modelModule(apiVersion, kind);
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch {
    throw new Error(`no schema known for ${apiVersion} ${kind} (looked for ${specifier}): add its models package`);
  }
  const model = module[kind];
  if (typeof model !== 'function') throw new Error(`${specifier} exports no ${kind}`);
  return model as ModelConstructor;
}

interface AttributeType {
  baseName: string;
  type: string;
}
interface ClientNodeModel {
  getAttributeTypeMap(): AttributeType[];
}

function clientNodeModel(typeName: string): ClientNodeModel | undefined {
  const candidate = (clientNode as unknown as Record<string, unknown>)[typeName];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as unknown as ClientNodeModel) : undefined;
}

/** The client-node class name of a core API kind: apps/v1 Deployment -> V1Deployment. */
export function clientNodeTypeName(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  // Only Kubernetes' own groups: a CRD's kind may share a name with a core class.
  const kubernetesGroup = group === '' || !group.includes('.') || group.endsWith('.k8s.io');
  if (!kubernetesGroup) return undefined;
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return clientNodeModel(name) ? name : undefined;
}

/** JSON paths of the fields of `value` that the type `typeName` does not declare. */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  const list = /^Array<(.+)>$/.exec(typeName);
  if (list) {
    const itemType = list[1] as string;
    return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, itemType, `${path}[${i}]`)) : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    const valueType = map[1] as string;
    return isObject(value) ? Object.entries(value).flatMap(([key, child]) => unknownFields(child, valueType, `${path}[${JSON.stringify(key)}]`)) : [];
  }
  const model = clientNodeModel(typeName);
  if (!model || !isObject(value)) return [];
  const declared = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([key, child]) => {
    const childType = declared.get(key);
    const childPath = `${path}.${key}`;
    return childType === undefined ? [childPath] : unknownFields(child, childType, childPath);
  });
}

export interface ValidationReport {
  object: string;
  problems: string[];
  strict: boolean;
}

/** Validates one rendered object; throws when no schema is known for its kind. */
export async function validateManifest(manifest: Manifest): Promise<ValidationReport> {
  const object = `${manifest.kind}/${String(manifest.metadata['name'])}`;
  const Model = await loadModel(manifest.apiVersion, manifest.kind);
  const problems: string[] = [];
  try {
    new Model(manifest).validate();
  } catch (err) {
    problems.push((err as Error).message);
  }
  const typeName = clientNodeTypeName(manifest.apiVersion, manifest.kind);
  if (typeName) problems.push(...unknownFields(manifest, typeName).map((p) => `unknown field ${p}`));
  return { object, problems, strict: typeName !== undefined };
}
