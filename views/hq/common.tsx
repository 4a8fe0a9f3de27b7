// Pieces shared by the HQ pages at the hub: the sub-navigation, the date range form with
// its downloads, health badges.
import type { BranchHealth } from '../../src/sync/status';
import { ErrorSummary } from '../components';

export const HQ_TABS = [
  { href: '/hq', label: 'Branches', key: 'branches' },
  { href: '/hq/daily', label: 'Daily figures', key: 'daily' },
  { href: '/hq/prices', label: 'Price variance', key: 'prices' },
  { href: '/hq/announcements', label: 'Announcements', key: 'announcements' },
  { href: '/hq/doctors', label: 'Doctor directory', key: 'doctors' },
] as const;

export function HqTabs({ active }: { active: (typeof HQ_TABS)[number]['key'] }) {
  return (
    <nav aria-label="HQ views" class="actions">
      {HQ_TABS.map((t) => (
        <a class={t.key === active ? 'button primary' : 'button'} href={t.href} aria-current={t.key === active ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}

const HEALTH: Record<BranchHealth, { label: string; cls: string }> = {
  ok: { label: 'OK', cls: 'badge badge-ok' },
  behind: { label: 'Behind', cls: 'badge badge-warn' },
  offline: { label: 'Offline', cls: 'badge badge-warn' },
  // The strongest colour there is (the emergency badge): the hub refused its batch.
  flagged: { label: 'Flagged', cls: 'badge pr-emergency' },
  revoked: { label: 'Revoked', cls: 'badge badge-off' },
  not_joined: { label: 'Not joined', cls: 'badge badge-off' },
};

export function HealthBadge({ health }: { health: BranchHealth }) {
  const h = HEALTH[health];
  return (
    <span class={h.cls} data-health={health} safe>
      {h.label}
    </span>
  );
}

export interface RangeFormProps {
  action: string;
  from: string;
  to: string;
  /** Download paths without extension, e.g. /api/v1/hq/daily; null when the range is invalid. */
  download: string | null;
  error?: string | null;
}

/** A GET form (works without JavaScript) and the CSV/XLSX links of the range shown. */
export function RangeForm(p: RangeFormProps) {
  const q = `from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;
  return (
    <>
      <ErrorSummary message={p.error} />
      <form method="get" action={p.action} class="search-row" aria-label="Date range">
        <label for="f-from">From</label>
        <input id="f-from" type="date" name="from" value={p.from} required />
        <label for="f-to">To</label>
        <input id="f-to" type="date" name="to" value={p.to} required />
        <button type="submit">Show</button>
      </form>
      {p.download ? (
        <div class="actions downloads">
          <a class="button" href={`${p.download}.csv?${q}`}>
            Download CSV
          </a>
          <a class="button" href={`${p.download}.xlsx?${q}`}>
            Download XLSX
          </a>
        </div>
      ) : null}
    </>
  );
}

/** A count cell, right-aligned. */
export function Count({ n }: { n: number | null }) {
  return (
    <td class="num" safe>
      {n === null ? '—' : n.toLocaleString('en-IN')}
    </td>
  );
}

export const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
