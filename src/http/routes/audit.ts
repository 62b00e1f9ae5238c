import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';

/** A booking's title, or the name of a room, institution, person or token, from a change's state. */
function nameOf(state: unknown): string | null {
  if (!state || typeof state !== 'object') return null;
  const s = state as { title?: unknown; name?: unknown; email?: unknown };
  const name = typeof s.title === 'string' ? s.title : typeof s.name === 'string' ? s.name : typeof s.email === 'string' ? s.email : null;
  return name && name.length > 0 ? name.slice(0, 200) : null;
}

export const auditRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/audit', {
    config: { access: { role: 'admin' } },
    schema: {
      tags: ['audit'],
      summary: 'Audit log, newest first (admin)',
      querystring: S.AuditQuery,
      response: { 200: z.object({ items: z.array(S.AuditEntry), nextCursor: z.string().nullable() }), ...S.errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const rows = await services.administration.listAudit(callContext(req), {
        entity: q.entity,
        entityId: q.entityId,
        actorId: q.actorId,
        action: q.action,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        beforeId: q.cursor,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actor: r.actorId ? { id: r.actorId, name: r.actorName } : null,
          action: r.action,
          entity: r.entity,
          entityId: r.entityId,
          entityName: nameOf(r.after) ?? nameOf(r.before) ?? r.entityUserName ?? null,
          before: r.before,
          after: r.after,
        })),
        nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },
  });

  app.get('/settings', {
    config: { access: 'public' },
    schema: { tags: ['settings'], summary: 'Booking rules of this installation (for clients to check before sending)', response: { 200: S.Settings } },
    handler: async () => ({ ...services.policy, telephony: services.audio.configured, ...(services.defaultService && { defaultService: services.defaultService }) }),
  });
};
