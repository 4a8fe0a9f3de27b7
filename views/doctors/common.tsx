// Pieces shared by the doctor admin pages, the holiday list and the recall list.
import type { Flash, PageUser } from '../layout';

export interface PageBase {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
}

export const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units as money with Indian digit grouping: 123450 INR → "₹1,234.50", 1234567800 → "₹1,23,45,678.00". */
export function formatMoney(minor: number, currency = 'INR'): string {
  let f = moneyFormats.get(currency);
  if (!f) moneyFormats.set(currency, (f = new Intl.NumberFormat('en-IN', { style: 'currency', currency })));
  return f.format(minor / 100);
}

/** "2026-12-01" as "Tue 1 Dec". */
export function formatDayShort(ymd: string): string {
  return new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${ymd}T00:00:00Z`));
}

/** A doctor's sub-pages: profile and availability. */
export function DoctorTabs({ id, current }: { id: string; current: 'profile' | 'availability' }) {
  return (
    <nav aria-label="Doctor" class="actions">
      <a class={current === 'profile' ? 'button primary' : 'button'} href={`/admin/doctors/${id}`} aria-current={current === 'profile' ? 'page' : undefined}>
        Profile and calendar feed
      </a>
      <a
        class={current === 'availability' ? 'button primary' : 'button'}
        href={`/admin/doctors/${id}/availability`}
        aria-current={current === 'availability' ? 'page' : undefined}
      >
        Sessions and exceptions
      </a>
    </nav>
  );
}
