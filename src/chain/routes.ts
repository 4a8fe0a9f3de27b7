// Announcements over REST:
//   GET  /api/v1/announcements                          what this branch's staff see today
//   GET  /api/v1/chain/announcements                    every announcement (any mode)
//   POST /api/v1/chain/announcements                    post one (hub only)
//   POST /api/v1/chain/announcements/{id}/withdraw      withdraw one (hub only)
import { Elysia, t } from 'elysia';
import { DomainError } from '../core/errors';
import { isUuid } from '../core/ids';
import { json } from '../billing/routes';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { branchToday } from '../patients/routes';
import { allAnnouncements, type AnnouncementRow, currentAnnouncements, getAnnouncement, postAnnouncement, withdrawAnnouncement } from './announcements';
import { chainCommands } from './submit';

export const announcementJson = (a: AnnouncementRow) => ({
  id: a.id,
  title: a.title,
  body: a.body,
  show_until: a.show_until,
  posted_by: a.posted_by,
  posted_at: a.posted_at,
  withdrawn_at: a.withdrawn_at,
});

const AnnouncementBody = t.Object(
  {
    title: t.String({ maxLength: 200, description: 'One line, at most 120 characters' }),
    body: t.String({ maxLength: 4000, description: 'The notice, at most 2,000 characters; line breaks kept' }),
    show_until: t.Optional(t.Nullable(t.String({ maxLength: 10, description: 'Last day it is shown (YYYY-MM-DD); default until withdrawn' }))),
  },
  { additionalProperties: false },
);

export function announcementRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;
  const chain = chainCommands(svc);
  return new Elysia({ name: 'announcementRoutes', seed: svc.kernel.origin })
    .use(guard)
    .get('/api/v1/announcements', ({ scope }) => ({ items: currentAnnouncements(db, branchToday(svc, scope), 20).map(announcementJson), next_cursor: null }), {
      auth: 'signed_in',
      detail: { tags: ['chain'], summary: 'Announcements shown today', description: 'Notices from the chain’s HQ in effect today in the caller’s branch, newest first (as last pulled from the hub).' },
    })
    .get('/api/v1/chain/announcements', () => ({ items: allAnnouncements(db).map(announcementJson), next_cursor: null }), {
      auth: 'chain.read',
      detail: { tags: ['chain'], summary: 'Every announcement', description: 'The last 100, newest first, withdrawn ones included.' },
    })
    .post(
      '/api/v1/chain/announcements',
      async ({ scope, body, request }) => {
        chain.hubOnly('Announcements');
        const res = await chain.submit(scope, request, body, (tx) => {
          const id = postAnnouncement(tx, body, scope.name, branchToday(svc, scope));
          return { status: 201, body: announcementJson(getAnnouncement(tx.db, id)!) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: AnnouncementBody,
        detail: {
          tags: ['chain'],
          summary: 'Post an announcement (hub only)',
          description: 'Every branch pulls it within seconds of reaching the hub and shows it on its staff’s start page until `show_until` or until withdrawn. 201 with the announcement.',
        },
      },
    )
    .post(
      '/api/v1/chain/announcements/:id/withdraw',
      async ({ scope, params, request }) => {
        chain.hubOnly('Announcements');
        if (!isUuid(params.id)) throw new DomainError(404, 'not_found', 'Announcement not found');
        const res = await chain.submit(scope, request, { id: params.id }, (tx) => {
          withdrawAnnouncement(tx, params.id);
          return { status: 200, body: announcementJson(getAnnouncement(tx.db, params.id)!) };
        });
        return json(res);
      },
      { auth: 'chain.manage', detail: { tags: ['chain'], summary: 'Withdraw an announcement (hub only)', description: 'Branches stop showing it once pulled. 404 unknown, 409 already withdrawn.' } },
    );
}
