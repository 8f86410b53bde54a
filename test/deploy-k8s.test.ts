import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseApiConfig } from '../src/config.js';
import { isInstalled, runProcess } from '../testbed/processes.js';
import { parseWorkerConfig } from '../worker/config.js';
import { expectRunnable, expectValidEnvironment, partOf, readProjectFile as read } from './support/deploy-files.js';
import { projectDir } from './support/stack.js';
import { useTestApi } from './support/test-api.js';

// The files for many machines, checked offline: the kustomize base rendered by kubectl and each
// object validated against its Kubernetes (or KEDA) schema, the HAProxy configuration checked by
// haproxy itself, and what they set, probe and run held against the service's own configuration
// and routes.

/** The routes a worker serves on METRICS_PORT. */
const WORKER_ROUTES = ['/healthz', '/readyz', '/metrics'];

/** `kubectl kustomize DIR`: the rendered objects as YAML. */
async function kustomize(dir: string): Promise<string> {
  const { code, stdout, stderr } = await runProcess('kubectl', ['kustomize', dir]);
  if (code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${stderr}`);
  return stdout;
}

/** `45s`, `1h`, `500ms`, a bare number in `unit`: milliseconds. */
function durationMs(text: string, unit: 'ms' | 's'): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? unit];
  return Number(match[1]) * factor!;
}

/** How long graphql-ws lets a socket stay quiet before its ping: what every proxy timeout must outlive. */
const keepAliveMs = (env: Record<string, string> = {}) => parseApiConfig(env).ws.keepAliveMs;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

/** The model class of kubernetes-models (or its KEDA package) for an object's apiVersion and kind. */
async function modelOf({ apiVersion, kind }: K8sObject) {
  const isKeda = apiVersion.split('/')[0]!.endsWith('keda.sh');
  const path = `${isKeda ? '@kubernetes-models/keda' : 'kubernetes-models'}/${apiVersion}/${kind}`;
  const models = (await import(path).catch(() => {
    throw new Error(`no schema for ${apiVersion} ${kind} (${path})`);
  })) as Record<string, { apiVersion: string; kind: string; new (data: unknown): { validate(): void } }>;
  const model = models[kind];
  expect(model, `${path} exports ${kind}`).toBeDefined();
  expect([model!.apiVersion, model!.kind]).toEqual([apiVersion, kind]);
  return model!;
}

const hasKubectl = await isInstalled('kubectl');
const rendered = hasKubectl ? await kustomize('deploy/k8s') : '';

describe.skipIf(!hasKubectl)('deploy/k8s, rendered with kubectl kustomize', () => {
  const objects = parseAllDocuments(rendered).map((document) => document.toJS() as K8sObject);
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const named = (kind: string, name: string) => {
    const found = ofKind(kind).find((object) => object.metadata.name === name);
    expect(found, `${kind} ${name}`).toBeDefined();
    return found!;
  };
  const decoded = (secret: K8sObject) =>
    Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );

  const deployments = ofKind('Deployment').map((deployment) => {
    const pod = deployment.spec.template.spec;
    const [container, ...others] = pod.containers as any[];
    expect(others, `${deployment.metadata.name} runs one container`).toEqual([]);
    return { deployment, pod, container: container!, part: partOf(container!.command) };
  });
  const the = (part: 'api' | 'worker') => {
    const found = deployments.filter((entry) => entry.part === part);
    expect(found, `one Deployment runs the ${part}`).toHaveLength(1);
    return found[0]!;
  };

  /** A container's environment as the pod gets it: envFrom in order, then env. */
  function environment(container: any): Record<string, string> {
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) Object.assign(env, named('ConfigMap', source.configMapRef.name).data);
      else if (source.secretRef) Object.assign(env, decoded(named('Secret', source.secretRef.name)));
      else throw new Error(`unexpected envFrom: ${JSON.stringify(source)}`);
    }
    for (const { name, value, valueFrom } of container.env ?? []) {
      if (value !== undefined) env[name] = String(value);
      else if (valueFrom?.secretKeyRef) {
        const { name: secret, key } = valueFrom.secretKeyRef;
        const values = decoded(named('Secret', secret));
        expect(values, `Secret ${secret}`).toHaveProperty(key);
        env[name] = values[key]!;
      } else if (valueFrom?.configMapKeyRef) {
        const { name: configMap, key } = valueFrom.configMapKeyRef;
        const values = named('ConfigMap', configMap).data ?? {};
        expect(values, `ConfigMap ${configMap}`).toHaveProperty(key);
        env[name] = values[key]!;
      } else throw new Error(`unexpected env ${name}: ${JSON.stringify(valueFrom)}`);
    }
    return env;
  }

  /** The probes of a container, each with the port number it reaches. */
  function probes(container: any) {
    return (['livenessProbe', 'readinessProbe', 'startupProbe'] as const)
      .filter((probe) => container[probe])
      .map((probe) => {
        const { httpGet } = container[probe];
        expect(httpGet, `${container.name}'s ${probe} is an HTTP GET`).toBeDefined();
        const port =
          typeof httpGet.port === 'number'
            ? httpGet.port
            : (container.ports ?? []).find((entry: any) => entry.name === httpGet.port)?.containerPort;
        expect(port, `${container.name}'s ${probe} port ${httpGet.port}`).toBeTypeOf('number');
        return { probe, path: httpGet.path as string, port: port as number };
      });
  }

  it('should hold every object valid against its schema, and each kind the service needs', async () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
    for (const kind of ['ConfigMap', 'Secret', 'Service', 'Ingress', 'PodDisruptionBudget', 'ScaledObject']) {
      expect(ofKind(kind).length, kind).toBeGreaterThan(0);
    }
    expect(the('api').deployment.spec.replicas).toBe(2);
    expectRunnable(the('api').container.command);
    expectRunnable(the('worker').container.command);
  });

  it('should set only variables the part of each Deployment reads, with valid values', () => {
    for (const { deployment, container, part } of deployments) {
      expectValidEnvironment(part, environment(container), `Deployment ${deployment.metadata.name}`);
    }
  });

  it('should run every container as a user that is not root, with resources set', () => {
    for (const { deployment, pod, container } of deployments) {
      const where = `Deployment ${deployment.metadata.name}`;
      expect(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser, where).not.toBe(0);
      expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
      expect(container.resources?.requests, where).toBeDefined();
      expect(container.resources?.limits?.memory, where).toBeDefined();
    }
  });

  describe("the API's probes", () => {
    const setup = useTestApi();

    it('should reach the port it listens on, at paths it answers 200 while Redis answers', async () => {
      const { container } = the('api');
      const found = probes(container);
      expect(found.map(({ probe }) => probe)).toEqual(expect.arrayContaining(['livenessProbe', 'readinessProbe']));
      const { port } = parseApiConfig(environment(container)).http;
      for (const { probe, path, port: probed } of found) {
        expect(probed, probe).toBe(port);
        expect(container.ports.find((entry: any) => entry.containerPort === port)?.name).toBe('http');
        expect((await fetch(`${setup.api.url}${path}`)).status, `${probe} GET ${path}`).toBe(200);
      }
    });
  });

  it("should probe the worker's metrics port at the routes it serves there", () => {
    const { container } = the('worker');
    const found = probes(container);
    expect(found.map(({ probe }) => probe)).toEqual(expect.arrayContaining(['livenessProbe', 'readinessProbe']));
    const metricsPort = Number(environment(container).METRICS_PORT);
    expect(metricsPort).toBeGreaterThan(0);
    for (const { probe, path, port } of found) {
      expect(port, probe).toBe(metricsPort);
      expect(WORKER_ROUTES, `${probe} GET ${path}`).toContain(path);
    }
  });

  it('should give a stopping worker longer than SHUTDOWN_TIMEOUT before it is killed', () => {
    const { pod, container } = the('worker');
    const { shutdownTimeoutMs } = parseWorkerConfig(environment(container)).worker;
    expect(shutdownTimeoutMs).toBeGreaterThan(0);
    // Kubernetes' default, where the pod sets none.
    expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(shutdownTimeoutMs);
  });

  it('should scale the worker Deployment on the backlog metric with KEDA', () => {
    const [scaler, ...others] = ofKind('ScaledObject');
    expect(others).toEqual([]);
    const { scaleTargetRef, minReplicaCount, maxReplicaCount, triggers } = scaler!.spec;
    expect(scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    expect(scaleTargetRef.name).toBe(the('worker').deployment.metadata.name);
    expect(minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(maxReplicaCount).toBeGreaterThan(minReplicaCount);
    expect(triggers).toHaveLength(1);
    expect(triggers[0].type).toBe('prometheus');
    expect(triggers[0].metadata.query).toBe('sum(max by (kind) (task_service_backlog))');
    expect(Number(triggers[0].metadata.threshold)).toBeGreaterThan(0);
    // KEDA owns the replica count; a fixed one would be reset by every apply.
    expect(the('worker').deployment.spec.replicas).toBeUndefined();
  });

  it("should keep the scaler's target when an overlay renames the objects", async () => {
    const overlay = mkdtempSync(join(tmpdir(), 'task-service-overlay-'));
    try {
      const base = relative(overlay, join(projectDir, 'deploy', 'k8s'));
      writeFileSync(join(overlay, 'kustomization.yaml'), `resources: [${base}]\nnamePrefix: staging-\n`);
      const renamed = parseAllDocuments(await kustomize(overlay)).map((document) => document.toJS() as K8sObject);
      const scaler = renamed.find((object) => object.kind === 'ScaledObject')!;
      const worker = renamed.find(
        (object) => object.kind === 'Deployment' && object.metadata.name === scaler.spec.scaleTargetRef.name,
      );
      expect(worker?.metadata.name).toBe(`staging-${the('worker').deployment.metadata.name}`);
    } finally {
      rmSync(overlay, { recursive: true, force: true });
    }
  });

  it('should route the Service, the Ingress and the disruption budgets to the pods', () => {
    const api = the('api');
    const podLabels = (entry: (typeof deployments)[number]) => entry.deployment.spec.template.metadata.labels;
    const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);

    const services = ofKind('Service');
    for (const service of services) {
      expect(selects(service.spec.selector, podLabels(api)), `Service ${service.metadata.name}`).toBe(true);
      for (const { targetPort } of service.spec.ports) {
        expect(api.container.ports.map((port: any) => port.name)).toContain(targetPort);
      }
    }
    for (const ingress of ofKind('Ingress')) {
      const annotations = ingress.metadata.annotations ?? {};
      for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
        const seconds = Number(annotations[`nginx.ingress.kubernetes.io/${name}`]);
        expect(seconds * 1000, name).toBeGreaterThan(keepAliveMs(environment(api.container)));
      }
      for (const rule of ingress.spec.rules) {
        for (const { backend } of rule.http.paths) {
          const service = named('Service', backend.service.name);
          expect(service.spec.ports.map((port: any) => port.name)).toContain(backend.service.port.name);
        }
      }
    }
    for (const budget of ofKind('PodDisruptionBudget')) {
      const covered = deployments.filter((entry) => selects(budget.spec.selector.matchLabels, podLabels(entry)));
      expect(covered, `PodDisruptionBudget ${budget.metadata.name}`).toHaveLength(1);
    }
    expect(
      ofKind('PodDisruptionBudget').some((budget) => selects(budget.spec.selector.matchLabels, podLabels(api))),
    ).toBe(true);
  });
});

if (!hasKubectl) {
  describe('deploy/k8s', () => {
    it.skip('is not rendered: kubectl is not on the PATH (it renders the kustomize base offline)', () => {});
  });
}

const compose = parse(read('deploy/compose.scale.yaml'), { merge: true }) as {
  services: Record<string, Record<string, any>>;
};

describe('deploy/compose.scale.yaml', () => {
  const { api, worker, proxy, redis } = compose.services;

  it('should run every service from the project or a pinned image', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build !== undefined) {
        // Relative to deploy/, where the file is.
        expect(existsSync(join(projectDir, 'deploy', service.build, 'Dockerfile')), name).toBe(true);
        expectRunnable(service.command);
      } else {
        expect(service.image, name).toMatch(/^[\w./-]+:\d/);
      }
    }
    expect(redis!.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(api!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(worker!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  it('should run two APIs and workers that scale, each setting only what it reads', () => {
    expect(partOf(api!.command)).toBe('api');
    expect(partOf(worker!.command)).toBe('worker');
    expect(api!.deploy.replicas).toBe(2);
    expectValidEnvironment('api', api!.environment, 'api');
    expectValidEnvironment('worker', worker!.environment, 'worker');
    // `--scale` needs services with no fixed name and no published port.
    for (const service of [api, worker]) {
      expect(service!.container_name).toBeUndefined();
      expect(service!.ports).toBeUndefined();
    }
    const { shutdownTimeoutMs } = parseWorkerConfig(worker!.environment).worker;
    expect(durationMs(worker!.stop_grace_period, 's')).toBeGreaterThan(shutdownTimeoutMs);
  });

  it('should put HAProxy 3 with deploy/haproxy.cfg on port 4000, in front of the APIs', () => {
    expect(proxy!.image).toMatch(/^haproxy:3\./);
    expect(proxy!.ports).toEqual(['4000:4000']);
    const [source, target] = (proxy!.volumes[0] as string).split(':');
    expect(join('deploy', source!)).toBe(join('deploy', 'haproxy.cfg'));
    expect(target).toBe('/usr/local/etc/haproxy/haproxy.cfg');
    expect(proxy!.environment.API_HOST).toBe('api');
    expect(proxy!.environment.API_PORT).toBe(api!.environment.PORT);
    // The proxy's slots for instances: room for those compose starts, and more.
    expect(Number(proxy!.environment.API_SERVERS)).toBeGreaterThan(api!.deploy.replicas);
  });
});

const hasHaproxy = await isInstalled('haproxy');

describe('deploy/haproxy.cfg', () => {
  const config = read('deploy/haproxy.cfg');
  const lines = config
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const proxyEnv = compose.services.proxy!.environment as Record<string, string>;
  const apiEnv = compose.services.api!.environment as Record<string, string>;

  it('should let an idle WebSocket outlive the keep-alive ping, in HTTP mode', () => {
    expect(lines).toContain('mode http');
    const timeouts = new Map(
      lines.filter((line) => line.startsWith('timeout ')).map((line) => line.split(/\s+/).slice(1) as [string, string]),
    );
    for (const name of ['client', 'server', 'tunnel']) {
      expect(timeouts.has(name), `timeout ${name}`).toBe(true);
      expect(durationMs(timeouts.get(name)!, 'ms'), `timeout ${name}`).toBeGreaterThan(keepAliveMs(apiEnv));
    }
    expect(durationMs(timeouts.get('tunnel')!, 'ms')).toBeGreaterThanOrEqual(3_600_000);
  });

  it('should send traffic only to instances whose /readyz answers', () => {
    expect(lines).toContain('option httpchk');
    const send = lines.find((line) => line.startsWith('http-check send'));
    expect(send?.split(/\s+/)).toEqual(['http-check', 'send', 'meth', 'GET', 'uri', '/readyz']);
    expect(lines).toContain('http-check expect status 200');
    expect(lines.find((line) => line.startsWith('bind '))).toBe('bind :4000');
  });

  it('should take every variable it reads from the proxy service of the compose file', () => {
    const names = [...config.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(proxyEnv, name).toHaveProperty(name);
  });

  it.skipIf(!hasHaproxy)('should pass haproxy -c (skipped where haproxy is not installed)', async () => {
    const check = await runProcess('haproxy', ['-c', '-f', 'deploy/haproxy.cfg'], {
      env: { ...process.env, ...proxyEnv },
    });
    expect(check.code, check.output).toBe(0);
  });
});
