import type { V1CustomResourceConversion } from '@kubernetes/client-node';
import type { WebhookService } from './service.js';

/**
 * Every kind converts through the webhook. The apiserver picks the first ConversionReview
 * version it knows from `conversionReviewVersions`, and the service answers both.
 */
export const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'] as const;

export const webhookConversion = (service: WebhookService): V1CustomResourceConversion => ({
  strategy: 'Webhook',
  webhook: {
    conversionReviewVersions: [...CONVERSION_REVIEW_VERSIONS],
    clientConfig: {
      service: { name: service.name, namespace: service.namespace, path: service.path, port: service.port },
    },
  },
});
