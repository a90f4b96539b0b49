import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigOptions {
  /** A kubeconfig file; otherwise KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  readonly kubeconfig?: string | undefined;
  /** A context of that kubeconfig; otherwise its current context. */
  readonly context?: string | undefined;
}

/** The cluster to talk to, found the way kubectl finds it. */
export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) {
    const known = kc.getContexts().map((c) => c.name);
    if (!known.includes(options.context)) {
      throw new Error(
        `no context ${JSON.stringify(options.context)} in the kubeconfig (it has: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no cluster for the current context');
  return kc;
}

/** Where requests go, for messages. */
export const clusterServer = (kc: KubeConfig): string => kc.getCurrentCluster()?.server ?? '(unknown)';
