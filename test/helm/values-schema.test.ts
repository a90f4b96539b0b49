// values.schema.json is what makes `helm install --set replicaCont=3` an error instead of a
// silently ignored setting. These tests hold it to that, with the dialect Helm reads (draft-07).
import path from 'node:path';
import { expect } from 'chai';
import { Ajv, type ValidateFunction } from 'ajv';
import { chartDir, isObject, loadValues, readJsonFile, type Json, type JsonObject } from './chart.js';

const schema = readJsonFile(path.join(chartDir, 'values.schema.json')) as JsonObject;

function compile(): ValidateFunction {
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
}

/** Helm's merge of user values over the chart's: maps merge key by key, anything else replaces. */
function merge(base: Json, override: Json): Json {
  if (!isObject(base) || !isObject(override)) return override;
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = key in base ? merge(base[key] as Json, value) : value;
  return merged;
}

function errorsOf(validate: ValidateFunction, values: Json): string[] {
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Every object schema in the tree with the JSON pointer where it sits. */
function objectSchemas(node: Json, pointer = '#'): { pointer: string; node: JsonObject }[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => objectSchemas(child, `${pointer}/${i}`));
  if (!isObject(node)) return [];
  const here = node['type'] === 'object' ? [{ pointer, node }] : [];
  return [...here, ...Object.entries(node).flatMap(([key, child]) => objectSchemas(child, `${pointer}/${key}`))];
}

describe('helm: values.schema.json', () => {
  const validate = compile();

  it('accepts the chart defaults in values.yaml', () => {
    expect(errorsOf(validate, loadValues())).to.deep.equal([]);
  });

  it('closes every object level: a misspelled key anywhere is an error', () => {
    const open = objectSchemas(schema)
      .filter(({ node }) => !('additionalProperties' in node))
      .map(({ pointer }) => pointer);
    expect(open, 'object schemas without additionalProperties').to.deep.equal([]);
    // Only Kubernetes' own affinity terms pass through unchecked (the apiserver validates them).
    const passThrough = objectSchemas(schema)
      .filter(({ node }) => node['additionalProperties'] === true)
      .map(({ pointer }) => pointer);
    expect(passThrough.length).to.be.greaterThan(0);
    for (const pointer of passThrough) expect(pointer).to.match(/^#\/properties\/affinity\//);
  });

  const rejected: [string, JsonObject, RegExp][] = [
    ['a misspelled top-level key', { replicaCont: 3 }, /must NOT have additional properties/],
    ['a misspelled nested key', { image: { tags: 'v1' } }, /\/image must NOT have additional properties/],
    ['a misspelled key three levels down', { metrics: { serviceMonitor: { enable: true } } }, /\/metrics\/serviceMonitor must NOT have additional properties/],
    ['a misspelled key in a NetworkPolicy peer', { networkPolicy: { webhookFrom: [{ ipblock: { cidr: '10.0.0.0/8' } }] } }, /\/networkPolicy\/webhookFrom\/0 must NOT have additional properties/],
    ['an unknown certificate mode', { certificates: { mode: 'certmanager' } }, /\/certificates\/mode must be equal to one of the allowed values/],
    ['a string for a number', { replicaCount: '2' }, /\/replicaCount must be integer/],
    ['a number for a duration', { shutdownGrace: 30 }, /\/shutdownGrace must be string/],
    ['a duration without a unit', { certificates: { certManager: { duration: '90d' } } }, /\/certificates\/certManager\/duration must match pattern/],
    ['a duration crdconv serve cannot read', { shutdownDelay: '5 sec' }, /\/shutdownDelay must match pattern/],
    ['a quantity that is not one', { resources: { limits: { memory: 'lots' } } }, /\/resources\/limits\/memory must match pattern/],
    ['a body limit the service refuses', { maxRequestBytes: 100 }, /\/maxRequestBytes/],
    ['a thread count the service refuses', { convertThreads: 65 }, /\/convertThreads/],
    ['a thread count that is a word', { convertThreads: 'many' }, /\/convertThreads/],
    ['a PodDisruptionBudget count that is neither number nor percentage', { podDisruptionBudget: { minAvailable: 'half' } }, /\/podDisruptionBudget\/minAvailable/],
    ['an unknown log level', { logLevel: 'verbose' }, /\/logLevel must be equal to one of the allowed values/],
    ['a port out of range', { webhook: { port: 70000 } }, /\/webhook\/port must be <= 65535/],
    ['a list where a map belongs', { podAnnotations: ['a=b'] }, /\/podAnnotations must be object/],
    ['a heap percentage above 80', { heapLimitPercent: 95 }, /\/heapLimitPercent/],
    ['a heap percentage as a string', { heapLimitPercent: '55%' }, /\/heapLimitPercent must be integer/],
    ['an autoscaler without replicas', { autoscaling: { minReplicas: 0 } }, /\/autoscaling\/minReplicas must be >= 1/],
    ['a scaling policy of an unknown type', { autoscaling: { behavior: { scaleDown: { policies: [{ type: 'Nodes', value: 1, periodSeconds: 60 }] } } } }, /\/autoscaling\/behavior\/scaleDown\/policies\/0\/type must be equal to one of the allowed values/],
    ['a misspelled autoscaling key', { autoscaling: { targetCPU: 80 } }, /\/autoscaling must NOT have additional properties/],
    ['an alert ratio above 1', { prometheusRule: { alerts: { reviewFailures: { ratio: 5 } } } }, /\/prometheusRule\/alerts\/reviewFailures\/ratio must be <= 1/],
    ['a latency threshold past the apiserver timeout', { prometheusRule: { alerts: { latencyNearTimeout: { seconds: 45 } } } }, /\/prometheusRule\/alerts\/latencyNearTimeout\/seconds must be <= 30/],
    ['a `for` Prometheus cannot read', { prometheusRule: { alerts: { targetDown: { for: '5 min' } } } }, /\/prometheusRule\/alerts\/targetDown\/for must match pattern/],
    ['a threshold on an alert that has none', { prometheusRule: { alerts: { targetDown: { threshold: 1 } } } }, /\/prometheusRule\/alerts\/targetDown must NOT have additional properties/],
    ['an alert the chart does not have', { prometheusRule: { alerts: { diskFull: { enabled: true } } } }, /\/prometheusRule\/alerts must NOT have additional properties/],
    ['a selector that is not PromQL matchers', { prometheusRule: { selector: 'job=crdconv' } }, /\/prometheusRule\/selector must match pattern/],
    ['a runbook URL that is not one', { prometheusRule: { runbookUrl: 'wiki/crdconv' } }, /\/prometheusRule\/runbookUrl must match pattern/],
    ['dashboard labels that are not strings', { grafanaDashboard: { labels: { grafana_dashboard: 1 } } }, /\/grafanaDashboard\/labels\/grafana_dashboard must be string/],
  ];
  for (const [what, override, message] of rejected) {
    it(`rejects ${what}`, () => {
      const errors = errorsOf(validate, merge(loadValues(), override));
      expect(errors.join('\n')).to.match(message);
    });
  }

  const accepted: [string, JsonObject][] = [
    ['cert-manager mode with an existing ClusterIssuer', { certificates: { mode: 'cert-manager', certManager: { issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } }],
    ['a percentage minAvailable', { podDisruptionBudget: { minAvailable: '50%' } }],
    ['a numeric minAvailable', { podDisruptionBudget: { minAvailable: 1 } }],
    ['a NetworkPolicy with apiserver addresses', { networkPolicy: { enabled: true, webhookFrom: [{ ipBlock: { cidr: '10.0.0.0/24' } }] } }],
    ['a body limit of 10 MiB', { maxRequestBytes: 10485760 }],
    ['two conversion threads', { convertThreads: 2 }],
    ['extra environment variables', { extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }] }],
    ['an image digest', { image: { digest: `sha256:${'a'.repeat(64)}` } }],
    ['autoscaling on CPU and memory', { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 150, targetMemoryUtilizationPercentage: 90 } }],
    ['no heap limit', { heapLimitPercent: 0 }],
    ['alerts with a selector, labels, runbook and tuned thresholds', { prometheusRule: { enabled: true, selector: 'job="kubernetes-pods", app=~"crdconv|conv"', alertLabels: { team: 'platform' }, runbookUrl: 'https://runbooks.example.com/crdconv', alerts: { reviewFailures: { ratio: 0.01, for: '10m', severity: 'page' }, restarts: { restarts: 5 }, apiserverConversionFailures: { enabled: true, selector: 'job="apiserver"' } } } }],
    ['the dashboard in another namespace with a folder', { grafanaDashboard: { enabled: true, namespace: 'grafana', annotations: { grafana_folder: 'Kubernetes' } } }],
    ['tolerations and affinity', { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }],
  ];
  for (const [what, override] of accepted) {
    it(`accepts ${what}`, () => {
      expect(errorsOf(validate, merge(loadValues(), override))).to.deep.equal([]);
    });
  }
});
