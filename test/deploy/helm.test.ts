// The Helm chart, rendered by the real helm binary (scripts/ensure-helm.sh takes it from an npm
// package; CI runs that script) and every rendered object checked against the Kubernetes API's
// JSON schemas, kubeconform-style (the validators of the npm package kubernetes-models, generated
// from Kubernetes' OpenAPI; unknown fields are not flagged, as kubeconform without -strict).
// Not run here: installing into a cluster.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../src/config.ts';

const CHART = join(import.meta.dirname, '../../deploy/helm/webmeetings');
const cached = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'webmeetings-helm', 'helm');
const onPath = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0 ? 'helm' : null;
const HELM = process.env.HELM_BIN ?? (existsSync(cached) ? cached : onPath);
// Locally without helm the file is skipped (bash scripts/ensure-helm.sh fetches it); in CI it must run.
const describeWithHelm = HELM || process.env.CI === 'true' ? describe : describe.skip;

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE = ['existingSecret=wm-secrets', 'ingress.host=meet.example.org', 'config.PUBLIC_URL=https://meet.example.org'];

function render(set: string[] = []): K8sObject[] {
  if (!HELM) throw new Error('helm is missing: run bash scripts/ensure-helm.sh');
  const out = execFileSync(HELM, ['template', 'wm', CHART, ...[...BASE, ...set].flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON() as K8sObject).filter(Boolean);
}

/** The kubernetes-models class of an object's apiVersion and kind (core "v1" has no group). */
async function validate(o: K8sObject): Promise<void> {
  const path = `kubernetes-models/${o.apiVersion}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

const byKind = (objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind)!;

describeWithHelm('the Helm chart', () => {
  const objects = HELM ? render(['saml.existingSecret=wm-saml', 'config.SEAT_POOL=300']) : [];

  it('lints clean with --strict', () => {
    const r = spawnSync(HELM!, ['lint', '--strict', CHART, ...BASE.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('renders objects that all pass the Kubernetes schemas', async () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    for (const o of objects) await expect(validate(o), `${o.kind} ${o.metadata.name}`).resolves.toBeUndefined();
  });

  it('has a validator that refuses what Kubernetes would refuse', async () => {
    const d = structuredClone(byKind(objects, 'Deployment'));
    d.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
    await expect(validate(d)).rejects.toThrow(/containerPort/);
  });

  it('runs the portal stateless, non-root, on a read-only root, probed on /readyz and /healthz', () => {
    const d = byKind(objects, 'Deployment').spec;
    const c = d.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(d.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.resources.requests).toEqual({ cpu: '200m', memory: '256Mi' });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'wm-webmeetings' } }, { secretRef: { name: 'wm-secrets' } }]);
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/tmp', '/etc/webmeetings/saml']);
    expect(d.replicas).toBeUndefined(); // the autoscaler owns the count
    expect(byKind(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(byKind(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(render(['autoscaling.enabled=false', 'replicaCount=3']).find((o) => o.kind === 'Deployment')!.spec.replicas).toBe(3);
  });

  it('migrates in a pre-install and pre-upgrade job with the same secret', () => {
    const job = byKind(objects, 'Job');
    expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const c = job.spec.template.spec.containers[0];
    expect(c.args).toEqual(['node', 'src/cli.ts', 'migrate']);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'wm-secrets' } }]);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('serves TLS through the ingress with live updates unbuffered and no sticky sessions', () => {
    const ing = byKind(objects, 'Ingress');
    expect(ing.spec.tls).toEqual([{ hosts: ['meet.example.org'], secretName: 'wm-webmeetings-tls' }]);
    expect(ing.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-buffering': 'off', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' });
    expect(Object.keys(ing.metadata.annotations!).filter((a) => /affinity|sticky/.test(a))).toEqual([]);
    expect(byKind(objects, 'Service').spec.sessionAffinity).toBe('None');
  });

  it('passes set settings through the ConfigMap and leaves the others to the portal', () => {
    const data = byKind(objects, 'ConfigMap').data!;
    expect(data).toMatchObject({ PUBLIC_URL: 'https://meet.example.org', SEAT_POOL: '300', PORT: '3000', SAML_SP_KEY_FILE: '/etc/webmeetings/saml/sp.key' });
    expect(data.TURNAROUND_MINUTES).toBeUndefined();
  });

  it('has every setting of the configuration as a value, a secret or a setting the chart makes', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { config: Record<string, unknown>; secretSettings: string[]; managedSettings: string[] };
    const covered = [...Object.keys(values.config), ...values.secretSettings, ...values.managedSettings].sort();
    expect(covered).toEqual(Object.keys(EnvSchema.shape).sort());
  });

  it('serves /metrics on METRICS_PORT through a Service of its own that the Ingress does not route to', async () => {
    expect(objects.filter((o) => o.metadata.name.endsWith('-metrics'))).toEqual([]);
    const withPort = render(['config.METRICS_PORT=9464']);
    const services = withPort.filter((o) => o.kind === 'Service');
    const metrics = services.find((o) => o.metadata.name === 'wm-webmeetings-metrics')!;
    expect(metrics.spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
    await expect(validate(metrics)).resolves.toBeUndefined();
    const pod = byKind(withPort, 'Deployment').spec.template;
    expect(pod.spec.containers[0].ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
    // The Ingress reaches only the main Service's http port.
    const backends = JSON.stringify(byKind(withPort, 'Ingress').spec.rules);
    expect(backends).toContain('"name":"http"');
    expect(backends).not.toContain('metrics');
  });

  it('refuses to render without the database secret', () => {
    const r = spawnSync(HELM!, ['template', 'wm', CHART, '--set', 'ingress.host=x.example.org'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/existingSecret is required/);
  });
});
