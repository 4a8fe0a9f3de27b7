// Pieces shared by the patient pages: how a sex, an age and a field are worded, and the
// "possible duplicate" warning shown while registering.
import type { DuplicateMatch, PatientView } from '../../src/patients/queries';
import { formatCalendarDate, formatPhone } from '../components';

export const SEX_LABELS: Record<string, string> = { female: 'Female', male: 'Male', other: 'Other' };
export const SEX_SHORT: Record<string, string> = { female: 'F', male: 'M', other: 'O' };

export const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  phone: 'Phone',
  sex: 'Sex',
  date_of_birth: 'Date of birth',
  age_years: 'Age (years)',
  email: 'Email',
  address: 'Address',
  abha_number: 'ABHA number',
};

/** "34 years", "about 34 years" when the age was told rather than a date of birth given. */
export function ageText(p: Pick<PatientView, 'age_years' | 'age_is_estimated'>): string {
  if (p.age_years === null) return 'not known';
  const n = `${p.age_years} ${p.age_years === 1 ? 'year' : 'years'}`;
  return p.age_is_estimated ? `about ${n}` : n;
}

/** Compact age and sex for tables: "34 y · F", "~34 y · F". */
export function ageSexShort(p: Pick<PatientView, 'age_years' | 'age_is_estimated' | 'sex'>): string {
  const age = p.age_years === null ? '?' : `${p.age_is_estimated ? '~' : ''}${p.age_years} y`;
  return `${age} · ${SEX_SHORT[p.sex] ?? p.sex}`;
}

/** A value from the record's history, as people read it. */
export function historyValue(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'sex') return SEX_LABELS[String(v)] ?? String(v);
  if (field === 'phone') return formatPhone(String(v));
  if (field === 'date_of_birth') return formatCalendarDate(String(v));
  return String(v);
}

function matchAge(d: DuplicateMatch): string {
  if (d.date_of_birth) return `born ${formatCalendarDate(d.date_of_birth)}`;
  return d.age_years === null ? '' : `age ${d.age_years}`;
}

/**
 * The warning listing registered patients who look like the same person. It never blocks:
 * families share phones, so the desk decides.
 */
export function DuplicateWarning({ matches, confirmable }: { matches: DuplicateMatch[]; confirmable?: boolean }) {
  if (!matches.length) return '';
  return (
    <div class="flash flash-warn dup-warning">
      <p>
        <strong>Possible duplicate.</strong>{' '}
        {matches.length === 1 ? 'A patient with the same name, phone and age is already registered:' : 'Patients with the same name, phone and age are already registered:'}
      </p>
      <ul>
        {matches.map((d) => (
          <li>
            <a href={`/patients/${d.id}`}>
              <span safe>{d.name}</span> · <span safe>{d.mrn}</span>
            </a>{' '}
            <span class="muted" safe>
              {`${formatPhone(d.phone)}${matchAge(d) ? ', ' + matchAge(d) : ''}`}
            </span>
          </li>
        ))}
      </ul>
      <p>
        {confirmable
          ? 'Open the existing record if it is the same person, or register anyway if it is someone else (family members often share a phone).'
          : 'Open the existing record if it is the same person. You can still register someone else with these details.'}
      </p>
    </div>
  );
}
