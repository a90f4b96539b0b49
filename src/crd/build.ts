import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { crdName, type Kind } from '../kinds/defineKind.js';
import { webhookConversion } from './conversion.js';
import { crdNames } from './names.js';
import { defaultWebhookService, webhookServiceProblems, type WebhookService } from './service.js';
import { crdVersion } from './version.js';

/**
 * The CustomResourceDefinition of a kind: every version in declared order, converted by the
 * webhook. `preserveUnknownFields` is left out (false): the Webhook strategy requires it false,
 * and pruning is what keeps fields an old version cannot hold out of storage.
 */
export function buildCrd(kind: Kind, service: WebhookService = defaultWebhookService): V1CustomResourceDefinition {
  const problems = webhookServiceProblems(service);
  if (problems.length) throw new Error(`invalid webhook service: ${problems.join('; ')}`);
  const storage = kind.versions.filter((v) => v.storage);
  if (storage.length !== 1) {
    throw new Error(`${crdName(kind)}: exactly one version must be the storage version, found ${storage.length}`);
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(kind) },
    spec: {
      group: kind.group,
      names: crdNames(kind),
      scope: kind.scope,
      versions: kind.versions.map((v) => crdVersion(kind, v)),
      conversion: webhookConversion(service),
    },
  };
}
