// The shipped monitoring (issue #15): the Zabbix 7.0 template and the Prometheus alert rules are
// well-formed, and every metric they name is one a running portal exposes (a renamed metric would
// otherwise silence an alarm without anyone noticing). The Filebeat example reads the ECS lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, startTestPortal, type TestPortal } from '../support/portal.ts';

const DEPLOY = join(import.meta.dirname, '../../deploy');
type Preprocessing = { type: string; parameters?: string[] };
type Trigger = { uuid: string; expression: string; name: string; priority: string };
type Item = { uuid: string; key: string; name: string; type: string; master_item?: { key: string }; preprocessing?: Preprocessing[]; triggers?: Trigger[]; params?: string; url?: string };
type Template = { uuid: string; template: string; items: Item[]; macros: { macro: string; value: string }[]; dashboards: { uuid: string; pages: { widgets: { fields: { value: { host: string; name: string } }[] }[] }[] }[] };

const zabbix = parse(readFileSync(join(DEPLOY, 'zabbix/webmeetings_template.yaml'), 'utf8')) as {
  zabbix_export: { version: string; templates: Template[]; graphs: { uuid: string; name: string; graph_items: { item: { host: string; key: string } }[] }[] };
};
const rules = parse(readFileSync(join(DEPLOY, 'prometheus/webmeetings-alerts.yaml'), 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
const template = zabbix.zabbix_export.templates[0]!;
const METRIC = /\bwebmeetings_[a-z_]+\b/g;

/** The metric family a sample name belongs to (histograms expose _bucket, _sum and _count). */
const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

let t: TestPortal;
let exposed: Set<string>;
beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  // A call to a provider and a booking make the labelled series appear; the families exist anyway.
  const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
});
afterAll(async () => {
  await t?.close();
});

describe('the Zabbix template', () => {
  it('is a Zabbix 7.0 export with unique UUIDv4s', () => {
    expect(zabbix.zabbix_export.version).toBe('7.0');
    const uuids = JSON.stringify(zabbix).match(/"uuid":"([^"]+)"/g)!.map((u) => u.slice(8, -1));
    expect(uuids.length).toBeGreaterThan(20);
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const u of uuids) expect(u).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });

  it('reads /metrics with the token and /readyz by HTTP agent, and every other item from the metrics', () => {
    const http = template.items.filter((i) => i.type === 'HTTP_AGENT');
    expect(http.map((i) => i.url)).toEqual(['{$WEBMEETINGS.URL}/metrics', '{$WEBMEETINGS.URL}/readyz']);
    const keys = new Set(template.items.map((i) => i.key));
    for (const item of template.items.filter((i) => i.type === 'DEPENDENT')) {
      expect(keys.has(item.master_item!.key), item.key).toBe(true);
      expect(item.preprocessing![0]!.type, item.key).toBe('PROMETHEUS_PATTERN');
    }
    for (const m of JSON.stringify(template).match(/\{\$[A-Z.]+\}/g)!) expect(template.macros.map((x) => x.macro)).toContain(m);
  });

  it('has the triggers operators asked for, each on an item of the template', () => {
    const keys = new Set(template.items.map((i) => i.key));
    const triggers = template.items.flatMap((i) => i.triggers ?? []);
    for (const tr of triggers) for (const [, key] of tr.expression.matchAll(/\/WebMeetings by HTTP\/([^,)]+)/g)) expect(keys.has(key!), `${tr.name}: ${key}`).toBe(true);
    const names = triggers.map((tr) => tr.name).join('\n');
    for (const wanted of [/not ready/, /conferencing service failing/, /jobs failing/, /jobs stalled/, /seat pool above/, /ARI disconnected/, /mail backlog/]) expect(names).toMatch(wanted);
  });

  it('has a dashboard whose graphs draw items of the template', () => {
    const keys = new Set(template.items.map((i) => i.key));
    const graphs = new Map(zabbix.zabbix_export.graphs.map((g) => [g.name, g]));
    const widgets = template.dashboards[0]!.pages[0]!.widgets;
    expect(widgets.length).toBeGreaterThanOrEqual(4);
    for (const w of widgets) {
      const graph = graphs.get(w.fields[0]!.value.name)!;
      expect(graph).toBeDefined();
      for (const gi of graph.graph_items) expect(keys.has(gi.item.key)).toBe(true);
    }
  });

  it('names only metrics the portal exposes', () => {
    const named = new Set([...JSON.stringify(template).matchAll(METRIC)].map((m) => family(m[0])));
    expect(named.size).toBeGreaterThanOrEqual(12);
    expect([...named].filter((n) => !exposed.has(n))).toEqual([]);
  });
});

describe('the Prometheus alert rules', () => {
  it('have the same conditions as the Zabbix triggers and name only exposed metrics', () => {
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['WebMeetingsNotReady', 'WebMeetingsProviderFailing', 'WebMeetingsJobsFailing', 'WebMeetingsJobsStalled', 'WebMeetingsSeatPoolNearlyFull', 'WebMeetingsAriDisconnected', 'WebMeetingsMailBacklog']),
    );
    const named = new Set(all.flatMap((r) => [...r.expr.matchAll(METRIC)].map((m) => family(m[0]))));
    expect([...named].filter((n) => !exposed.has(n))).toEqual([]);
  });
});

describe('the Filebeat example', () => {
  it('decodes the one-JSON-object-per-line ECS logs into fields', () => {
    const filebeat = parse(readFileSync(join(DEPLOY, 'elastic/filebeat.yml'), 'utf8')) as { 'filebeat.inputs': { parsers: Record<string, unknown>[] }[] };
    const parsers = filebeat['filebeat.inputs'][0]!.parsers;
    expect(parsers).toContainEqual({ ndjson: expect.objectContaining({ target: '', expand_keys: true }) });
  });
});
