// The chart's autoscaling, heap limit and probes, and their agreement: the HorizontalPodAutoscaler
// option (the Deployment then leaves its replica count to it), NODE_OPTIONS=--max-old-space-size
// computed from resources.limits.memory and heapLimitPercent (checked against what Node really
// takes), and probe timings a busy pod can meet. The static checks need nothing; the rendering
// ones need helm and say what they skipped without it.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { at, findHelm, findManifest, helmTemplate, isObject, loadValues, runHelm, chartDir, type Manifest } from './chart.js';
import { validateManifest } from './kubernetes-schema.js';

const helm = findHelm();
/** The kube-apiserver's webhook timeout: fixed, not configurable. */
const APISERVER_TIMEOUT_SECONDS = 30;

const render = (...args: string[]) => helmTemplate(helm as string, ['conv', '--namespace', 'webhooks', ...args]);
const container = (manifests: Manifest[]) => at(findManifest(manifests, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
const envOf = (manifests: Manifest[]) => (at(container(manifests), 'env') as { name: string; value?: string }[] | undefined) ?? [];
const heapFlag = (manifests: Manifest[]) => envOf(manifests).find((e) => e.name === 'NODE_OPTIONS')?.value;

/** Seconds of silence after which a probe acts: the first failed probe's timeout plus the periods until the last. */
const probeWindow = (probe: unknown) =>
  Number(at(probe, 'timeoutSeconds')) + Number(at(probe, 'periodSeconds')) * (Number(at(probe, 'failureThreshold')) - 1);

describe('helm: probes, resources and heap limit agree (values.yaml)', () => {
  const values = loadValues();

  it('restarts a pod only after longer than the apiserver waits for a review', () => {
    const liveness = at(values, 'healthProbe', 'liveness');
    expect(probeWindow(liveness)).to.be.greaterThan(APISERVER_TIMEOUT_SECONDS);
    expect(Number(at(liveness, 'timeoutSeconds'))).to.be.at.most(Number(at(liveness, 'periodSeconds')));
  });

  it('keeps a pod busy with one large review in the Service for a while, and restarts it later than it unreadies it', () => {
    const readiness = at(values, 'healthProbe', 'readiness');
    expect(probeWindow(readiness)).to.be.at.least(10);
    expect(probeWindow(readiness)).to.be.lessThan(probeWindow(at(values, 'healthProbe', 'liveness')));
    expect(Number(at(readiness, 'timeoutSeconds'))).to.be.at.most(Number(at(readiness, 'periodSeconds')));
  });

  it('gives the heap 50 to 60 % of the memory limit and requests no more than the limits', () => {
    expect(values['heapLimitPercent']).to.be.within(50, 60);
    expect(at(values, 'resources', 'limits', 'memory')).to.be.a('string');
    const mib = (q: unknown) => Number(/^(\d+)Mi$/.exec(String(q))?.[1]);
    expect(mib(at(values, 'resources', 'requests', 'memory'))).to.be.at.most(mib(at(values, 'resources', 'limits', 'memory')));
  });

  it('autoscales between at least two replicas and a higher maximum', () => {
    expect(at(values, 'autoscaling', 'enabled')).to.equal(false);
    expect(Number(at(values, 'autoscaling', 'minReplicas'))).to.be.at.least(2);
    expect(Number(at(values, 'autoscaling', 'maxReplicas'))).to.be.greaterThan(Number(at(values, 'autoscaling', 'minReplicas')));
  });
});

describe('helm: rendering autoscaling, heap limit and probes', function () {
  this.timeout(60_000);

  before(function () {
    if (!helm) {
      console.log(
        '    SKIPPED (no helm on PATH and no $HELM): the HorizontalPodAutoscaler on and off, the Deployment without replicas, ' +
          'NODE_OPTIONS computed from the memory limit, their refusals. export HELM="$(bash helm/tools/fetch-helm.sh)"',
      );
      this.skip();
    }
  });

  describe('autoscaling', () => {
    it('is off by default: no HorizontalPodAutoscaler, the Deployment has replicaCount replicas', () => {
      const manifests = render('--set', 'replicaCount=3');
      expect(manifests.map((m) => m.kind)).to.not.include('HorizontalPodAutoscaler');
      expect(at(findManifest(manifests, 'Deployment'), 'spec', 'replicas')).to.equal(3);
    });

    it('renders a valid autoscaling/v2 HorizontalPodAutoscaler for the Deployment, which then sets no replicas', async () => {
      const manifests = render('--set', 'autoscaling.enabled=true', '--set', 'replicaCount=3', '--set', 'autoscaling.maxReplicas=10');
      const hpa = findManifest(manifests, 'HorizontalPodAutoscaler');
      const deployment = findManifest(manifests, 'Deployment');
      expect((await validateManifest(hpa)).problems).to.deep.equal([]);
      expect(hpa.apiVersion).to.equal('autoscaling/v2');
      expect(hpa.metadata['namespace']).to.equal('webhooks');
      expect(at(hpa, 'spec', 'scaleTargetRef')).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata['name'] });
      expect(at(hpa, 'spec', 'minReplicas')).to.equal(2);
      expect(at(hpa, 'spec', 'maxReplicas')).to.equal(10);
      expect(at(hpa, 'spec', 'metrics')).to.deep.equal([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ]);
      expect(at(hpa, 'spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds')).to.equal(300);
      expect(at(hpa, 'spec', 'behavior', 'scaleUp', 'policies')).to.deep.equal(at(loadValues(), 'autoscaling', 'behavior', 'scaleUp', 'policies'));
      expect(at(deployment, 'spec')).to.not.have.property('replicas');
      // The PodDisruptionBudget still guards the pods the autoscaler keeps.
      expect(at(findManifest(manifests, 'PodDisruptionBudget'), 'spec', 'maxUnavailable')).to.equal(1);
    });

    it('scales on memory, CPU or both, as the targets say', () => {
      const metrics = (...settings: string[]) =>
        (at(findManifest(render('--set', 'autoscaling.enabled=true', ...settings), 'HorizontalPodAutoscaler'), 'spec', 'metrics') as unknown[]).map(
          (m) => `${String(at(m, 'resource', 'name'))}=${String(at(m, 'resource', 'target', 'averageUtilization'))}`,
        );
      expect(metrics('--set', 'autoscaling.targetMemoryUtilizationPercentage=90')).to.deep.equal(['cpu=80', 'memory=90']);
      expect(metrics('--set', 'autoscaling.targetCPUUtilizationPercentage=0', '--set', 'autoscaling.targetMemoryUtilizationPercentage=90')).to.deep.equal(['memory=90']);
      expect(metrics('--set', 'autoscaling.targetCPUUtilizationPercentage=250')).to.deep.equal(['cpu=250']);
    });

    it('refuses settings the autoscaler could not act on', () => {
      for (const [settings, message] of [
        [['autoscaling.minReplicas=5', 'autoscaling.maxReplicas=3'], /minReplicas \(5\) is above autoscaling.maxReplicas \(3\)/],
        [['autoscaling.targetCPUUtilizationPercentage=0'], /needs a target/],
        [['resources.requests.cpu=null'], /percentage of resources.requests.cpu, which is not set/],
        [['autoscaling.targetMemoryUtilizationPercentage=70', 'resources.requests.memory=null'], /resources.requests.memory, which is not set/],
        [['autoscaling.minReplicas=0'], /minReplicas/],
        [['autoscaling.behavior.scaleUp.policies[0].type=Nodes'], /type/],
      ] as const) {
        const args = ['template', 'conv', chartDir, '--set', 'autoscaling.enabled=true', ...settings.flatMap((s) => ['--set', s])];
        const result = runHelm(helm as string, args);
        expect(result.status, settings.join(' ')).to.not.equal(0);
        expect(result.stderr, settings.join(' ')).to.match(message);
      }
    });
  });

  describe('the heap limit', () => {
    it('is 50 % of the default 512Mi limit: --max-old-space-size=256', () => {
      expect(heapFlag(render())).to.equal('--max-old-space-size=256');
    });

    const cases: [string[], string][] = [
      [['resources.limits.memory=1Gi'], '512'],
      [['resources.limits.memory=1536Mi'], '768'],
      [['resources.limits.memory=1.5Gi'], '768'],
      [['resources.limits.memory=2Gi', 'heapLimitPercent=60'], '1228'],
      [['resources.limits.memory=1G'], '476'],
      [['resources.limits.memory=786432Ki'], '384'],
      [['resources.limits.memory=536870912'], '256'],
      [['resources.limits.memory=600M', 'heapLimitPercent=55'], '314'],
      [['resources.limits.memory=1Ti', 'resources.requests.memory=1Gi'], '524288'],
      // Divided among the worker processes: each gets its share, the pod the same in all.
      [['resources.limits.memory=1Gi', 'workers=2'], '256'],
      [['resources.limits.memory=1536Mi', 'workers=3'], '256'],
      [['resources.limits.memory=2Gi', 'workers=4'], '256'],
      // workers: auto (the default): one per whole CPU and per 512Mi, whichever is fewer.
      [['resources.limits.cpu=2'], '256'],
      [['resources.limits.cpu=2', 'resources.limits.memory=1Gi'], '256'],
      [['resources.limits.cpu=2500m', 'resources.limits.memory=1536Mi'], '384'],
      [['resources.limits.cpu=4', 'resources.limits.memory=1Gi'], '256'],
      [['resources.limits.cpu=1500m'], '256'],
      [['resources.limits.cpu=null'], '256'],
    ];
    for (const [settings, mib] of cases) {
      it(`is ${mib} MiB with ${settings.join(', ')}`, () => {
        expect(heapFlag(render(...settings.flatMap((s) => ['--set', s])))).to.equal(`--max-old-space-size=${mib}`);
      });
    }

    it('reads a limit given as a YAML number of bytes', () => {
      expect(heapFlag(render('--set-json', 'resources.limits.memory=1073741824'))).to.equal('--max-old-space-size=512');
    });

    it('is what Node takes: V8 reports a heap limit of that size', () => {
      const flag = heapFlag(render()) as string;
      const probe = spawnSync(process.execPath, ['-e', 'console.log(require("node:v8").getHeapStatistics().heap_size_limit)'], {
        env: { ...process.env, NODE_OPTIONS: flag },
        encoding: 'utf8',
      });
      expect(probe.status, probe.stderr).to.equal(0);
      const limitMiB = Number(probe.stdout.trim()) / 1048576;
      // The old generation as set, plus V8's young generation (a few tens of MiB at most).
      expect(limitMiB).to.be.within(256, 256 + 64);
    });

    it('is left out with heapLimitPercent 0 or without a memory limit', () => {
      expect(heapFlag(render('--set', 'heapLimitPercent=0'))).to.equal(undefined);
      expect(heapFlag(render('--set', 'resources.limits.memory=null'))).to.equal(undefined);
      expect(at(container(render('--set', 'heapLimitPercent=0')), 'env')).to.equal(undefined);
    });

    it('gives way to a NODE_OPTIONS of extraEnv, and sits beside other variables', () => {
      const own = render('--set', 'extraEnv[0].name=NODE_OPTIONS', '--set', 'extraEnv[0].value=--max-old-space-size=100');
      expect(envOf(own)).to.deep.equal([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=100' }]);
      const both = render('--set', 'extraEnv[0].name=TZ', '--set', 'extraEnv[0].value=UTC');
      expect(envOf(both)).to.deep.equal([
        { name: 'NODE_OPTIONS', value: '--max-old-space-size=256' },
        { name: 'TZ', value: 'UTC' },
      ]);
    });

    it('refuses a limit it cannot read, a heap too small to run, and a percentage out of range', () => {
      for (const [setting, message] of [
        ['resources.limits.memory=5e8', /resources.limits.memory "5e8".*512Mi.*heapLimitPercent=0/],
        ['resources.limits.memory=500000m', /resources.limits.memory "500000m"/],
        ['resources.limits.memory=20Mi', /leaves V8 10 MiB of heap/],
        ['heapLimitPercent=95', /heapLimitPercent/],
        ['heapLimitPercent=10', /heapLimitPercent/],
        ['workers=0', /workers/],
        ['workers=17', /workers/],
        ['workers=2', /workers 2 needs resources.limits.memory of at least 2 x 512Mi .*not 512Mi/],
        ['workers=some', /workers/],
      ] as const) {
        const result = runHelm(helm as string, ['template', 'conv', chartDir, '--set', setting]);
        expect(result.status, setting).to.not.equal(0);
        expect(result.stderr, setting).to.match(message);
      }
      const short = runHelm(helm as string, ['template', 'conv', chartDir, '--set', 'workers=3', '--set', 'resources.limits.memory=1Gi']);
      expect(short.status).to.not.equal(0);
      expect(short.stderr).to.match(/workers 3 needs resources.limits.memory of at least 3 x 512Mi .*not 1Gi/);
    });
  });

  it('renders the probe timings of values.yaml', () => {
    const c = container(render());
    const values = loadValues();
    for (const [probe, key] of [['livenessProbe', 'liveness'], ['readinessProbe', 'readiness']] as const) {
      const rendered = at(c, probe);
      const wanted = at(values, 'healthProbe', key);
      expect(isObject(wanted)).to.equal(true);
      for (const [field, value] of Object.entries(wanted as object)) expect(at(rendered, field), `${probe}.${field}`).to.equal(value);
    }
  });
});
