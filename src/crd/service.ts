/**
 * Where the apiserver finds the conversion webhook: a Service in the cluster. The CRD files carry
 * no `caBundle`: the Helm chart or cert-manager's CA injector adds it at install time, so the
 * files stay the same on every cluster.
 */
export interface WebhookService {
  readonly name: string;
  readonly namespace: string;
  /** The HTTP path the webhook serves conversions on. */
  readonly path: string;
  readonly port: number;
}

export const defaultWebhookService: WebhookService = {
  name: 'crdconv',
  namespace: 'crdconv-system',
  path: '/convert',
  port: 443,
};

/** A DNS-1035 label, as Kubernetes requires of Service names (namespaces are DNS-1123 labels). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The problems with service coordinates, empty when the apiserver would accept them. */
export function webhookServiceProblems(s: WebhookService): string[] {
  const problems: string[] = [];
  if (!DNS_LABEL.test(s.name) || s.name.length > 63 || /^[0-9]/.test(s.name)) {
    problems.push(`service name ${JSON.stringify(s.name)} is not a DNS-1035 label`);
  }
  if (!DNS_LABEL.test(s.namespace) || s.namespace.length > 63) {
    problems.push(`service namespace ${JSON.stringify(s.namespace)} is not a DNS-1123 label`);
  }
  if (!s.path.startsWith('/')) problems.push(`service path ${JSON.stringify(s.path)} must start with /`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) {
    problems.push(`service port ${s.port} must be an integer from 1 to 65535`);
  }
  return problems;
}
