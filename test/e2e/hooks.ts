/**
 * Root hooks of the e2e suite (listed first in test/e2e/.mocharc.json): bring the control plane
 * up, or use the one `npm run cluster -- up` left running, start `crdconv serve` and wire the
 * chart's objects; at the end stop the webhook, and the cluster if this run started it
 * (CRDCONV_E2E_KEEP_CLUSTER=1 keeps it).
 */
import { setUp, tearDown } from './support/env.js';

before(async function () {
  // The first run on a machine builds kube-apiserver and etcd (many minutes on 2 cores).
  this.timeout(60 * 60_000);
  const env = await setUp();
  process.stderr.write(
    `e2e: kube-apiserver ${env.cluster.versions.kubernetes} (etcd ${env.cluster.versions.etcd}) at ${env.cluster.server}; ` +
      `crdconv serve on 127.0.0.1:${env.webhook.port}; KUBECONFIG=${env.cluster.kubeconfig}\n`,
  );
});

after(async function () {
  this.timeout(60_000);
  await tearDown();
});
