// The staff layout: header with the clinic and branch, navigation for the user's role,
// flash message, main content. Every page goes through it; every value is escaped.
import type { Children } from '@kitajs/html';
import { can, type Permission } from '../src/http/permissions';

export interface PageUser {
  name: string;
  role: string;
  branchId: string;
  branches: { id: string; code: string; name: string }[];
  csrf: string;
  /** This server is the chain's hub (the HQ views live there). */
  hub?: boolean;
}

export interface Flash {
  kind: 'ok' | 'error' | 'warn';
  text: string;
}

export interface LayoutProps {
  title: string;
  user?: PageUser | null;
  clinicName?: string | null;
  flash?: Flash | null;
  active?: string;
  children?: Children;
}

const NAV: { href: string; label: string; key: string; permission: Permission; hubOnly?: boolean }[] = [
  { href: '/', label: 'Today', key: 'home', permission: 'signed_in' },
  { href: '/patients', label: 'Patients', key: 'patients', permission: 'patients.read' },
  { href: '/board', label: 'Day board', key: 'board', permission: 'schedule.read' },
  { href: '/queue', label: 'Queue', key: 'queue', permission: 'schedule.read' },
  { href: '/recalls', label: 'Recalls', key: 'recalls', permission: 'schedule.read' },
  { href: '/directory', label: 'Directory', key: 'directory', permission: 'schedule.read' },
  { href: '/billing', label: 'Billing', key: 'billing', permission: 'billing.read' },
  { href: '/admin/doctors', label: 'Doctors', key: 'doctors', permission: 'doctors.manage' },
  { href: '/admin/users', label: 'Staff', key: 'users', permission: 'users.manage' },
  { href: '/admin/branches', label: 'Branches', key: 'branches', permission: 'branches.manage' },
  { href: '/admin/system', label: 'System', key: 'system', permission: 'system.read' },
  { href: '/hq', label: 'HQ', key: 'hq', permission: 'hq.read', hubOnly: true },
];

export const roleLabel = (r: string) => r.replace('_', ' ').replace(/^./, (c) => c.toUpperCase());

export function Layout({ title, user, clinicName, flash, active, children }: LayoutProps) {
  const branch = user?.branches.find((b) => b.id === user.branchId);
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content='{"defaultTimeout":15000}' />
          <title safe>{`${title} · MyMedic`}</title>
          <link rel="stylesheet" href="/public/app.css" />
          <link rel="icon" href="/public/favicon.svg" type="image/svg+xml" />
          <script src="/public/vendor/htmx.min.js" defer></script>
        </head>
        <body hx-headers:inherited={user ? JSON.stringify({ 'X-CSRF-Token': user.csrf }) : undefined}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="top">
            <a class="brand" href="/">
              <span class="logo" aria-hidden="true">
                ✚
              </span>
              <span safe>{clinicName ?? 'MyMedic'}</span>
            </a>
            {user ? (
              <>
                <nav aria-label="Main">
                  <ul>
                    {NAV.filter((n) => can(user.role, n.permission) && (!n.hubOnly || user.hub)).map((n) => (
                      <li>
                        <a href={n.href} aria-current={active === n.key ? 'page' : undefined} safe>
                          {n.label}
                        </a>
                      </li>
                    ))}
                  </ul>
                </nav>
                <div class="who">
                  {user.branches.length > 1 ? (
                    <form method="post" action="/branch" class="branch-pick">
                      <input type="hidden" name="_csrf" value={user.csrf} />
                      <label for="branch-select" class="sr-only">
                        Branch
                      </label>
                      <select id="branch-select" name="branch_id" onchange="this.form.submit()">
                        {user.branches.map((b) => (
                          <option value={b.id} selected={b.id === user.branchId} safe>
                            {`${b.code} · ${b.name}`}
                          </option>
                        ))}
                      </select>
                      <noscript>
                        <button type="submit">Switch</button>
                      </noscript>
                    </form>
                  ) : branch ? (
                    <span class="branch" safe>
                      {`${branch.code} · ${branch.name}`}
                    </span>
                  ) : null}
                  <span class="user">
                    <span safe>{user.name}</span> <small safe>{roleLabel(user.role)}</small>
                  </span>
                  <form method="post" action="/logout">
                    <input type="hidden" name="_csrf" value={user.csrf} />
                    <button type="submit" class="link">
                      Sign out
                    </button>
                  </form>
                </div>
              </>
            ) : null}
          </header>
          <main id="main">
            {flash ? (
              <p class={`flash flash-${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'} safe>
                {flash.text}
              </p>
            ) : null}
            {children}
          </main>
        </body>
      </html>
    </>
  );
}
