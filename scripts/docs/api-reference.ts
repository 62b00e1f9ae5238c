// The API reference pages from the portal's own OpenAPI document (the zod schemas of the routes).
type Operation = { summary?: string; description?: string; tags?: string[]; parameters?: { name: string; in: string; required?: boolean; description?: string }[]; requestBody?: unknown; responses?: Record<string, { description?: string }> };
export type OpenApi = { info: { version: string }; paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function apiPage(doc: OpenApi, lang: 'it' | 'en'): string {
  const t = lang === 'it'
    ? { title: 'Riferimento API', intro: `REST sotto \`/api/v1\`, versione ${doc.info.version}. Il documento OpenAPI 3.1 completo è in \`/api/openapi.json\` ed è consultabile in \`/api/docs\` sul portale. Gli errori sono \`application/problem+json\` (RFC 9457) con un \`code\` stabile. Un browser si autentica con la sessione (cookie e intestazione \`X-CSRF-Token\`), uno script con un token personale (\`Authorization: Bearer …\`).`, params: 'Parametri', body: 'Corpo JSON', answers: 'Risposte' }
    : { title: 'API reference', intro: `REST under \`/api/v1\`, version ${doc.info.version}. The whole OpenAPI 3.1 document is at \`/api/openapi.json\` and can be browsed at \`/api/docs\` on the portal. Errors are \`application/problem+json\` (RFC 9457) with a stable \`code\`. A browser authenticates with its session (cookie and the \`X-CSRF-Token\` header), a script with a personal token (\`Authorization: Bearer …\`).`, params: 'Parameters', body: 'JSON body', answers: 'Answers' };
  const groups = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const group = path.split('/')[3] ?? path.split('/')[1] ?? 'other';
      const params = (op.parameters ?? []).map((p) => `\`${p.name}\` (${p.in}${p.required ? ', required' : ''})`).join(', ');
      const answers = Object.entries(op.responses ?? {}).map(([code, r]) => `${code}${r.description && r.description !== 'Default Response' ? ` ${r.description}` : ''}`).join(', ');
      const lines = [`### \`${method.toUpperCase()} ${path}\``, ''];
      if (op.summary || op.description) lines.push(`${op.summary ?? op.description}`, '');
      if (params) lines.push(`- ${t.params}: ${params}`);
      if (op.requestBody) lines.push(`- ${t.body}`);
      if (answers) lines.push(`- ${t.answers}: ${answers}`);
      groups.set(group, [...(groups.get(group) ?? []), [...lines, ''].join('\n')]);
    }
  }
  const sections = [...groups.entries()].map(([group, ops]) => `## ${group}\n\n${ops.join('\n')}`);
  return `# ${t.title}\n\n${t.intro}\n\n<div v-pre>\n\n${sections.join('\n')}\n</div>\n`;
}
