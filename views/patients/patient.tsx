// One patient: demographics and the record's history of changes (from the event log),
// times in the branch's time zone.
import type { HistoryEntry, PatientView } from '../../src/patients/queries';
import { formatCalendarDate, formatDateTime, formatPhone } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { ageText, FIELD_LABELS, historyValue, SEX_LABELS } from './common';

/** Fields of a correction worth showing; age_recorded_on only follows age_years. */
const SHOWN_CHANGES = Object.keys(FIELD_LABELS);

function HistoryItem({ e, timeZone }: { e: HistoryEntry; timeZone: string }) {
  const who = e.actor_name ?? (e.actor ? 'a former user' : 'the system');
  const when = (
    <time datetime={e.at} safe>
      {formatDateTime(e.at, timeZone)}
    </time>
  );
  if (e.type === 'patient.registered') {
    return (
      <li>
        <p>
          <strong>Registered</strong> by <span safe>{who}</span> · {when}
        </p>
      </li>
    );
  }
  if (e.type === 'patient.demographics_corrected') {
    const changes = (e.data.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
    const reason = typeof e.data.reason === 'string' ? e.data.reason : null;
    return (
      <li>
        <p>
          <strong>Corrected</strong> by <span safe>{who}</span> · {when}
        </p>
        <ul class="changes">
          {Object.entries(changes)
            .filter(([f]) => SHOWN_CHANGES.includes(f))
            .map(([f, c]) => (
              <li>
                <span class="field-name" safe>
                  {FIELD_LABELS[f] ?? f}
                </span>
                : <del safe>{historyValue(f, c.from)}</del> <span aria-label="changed to">→</span> <ins safe>{historyValue(f, c.to)}</ins>
              </li>
            ))}
        </ul>
        {reason ? (
          <p class="reason">
            Reason: <q safe>{reason}</q>
          </p>
        ) : null}
      </li>
    );
  }
  return (
    <li>
      <p>
        <strong safe>{e.type}</strong> by <span safe>{who}</span> · {when}
      </p>
    </li>
  );
}

function Row({ label, value, cls }: { label: string; value: string | null; cls?: string }) {
  return (
    <>
      <dt safe>{label}</dt>
      {value ? (
        <dd class={cls} safe>
          {value}
        </dd>
      ) : (
        <dd class="muted">—</dd>
      )}
    </>
  );
}

export interface PatientActions {
  canEdit: boolean;
  canBook?: boolean;
  canInvoice?: boolean;
}

export function PatientDetails({ patient: p, history, timeZone, canEdit, canBook, canInvoice }: { patient: PatientView; history: HistoryEntry[]; timeZone: string } & PatientActions) {
  const age = ageText(p) + (p.date_of_birth ? ` (born ${formatCalendarDate(p.date_of_birth)})` : '');
  return (
    <>
      <div class="page-head">
        <div>
          <h1 safe>{p.name}</h1>
          <p class="muted">
            MRN <strong class="mono" safe>{p.mrn}</strong>
          </p>
        </div>
        <div class="actions">
          {canBook ? (
            <a class="button primary" href={`/appointments/new?patient_id=${p.id}`}>
              Book appointment
            </a>
          ) : null}
          {canInvoice ? (
            <a class="button" href={`/billing/invoices/new?patient_id=${p.id}`}>
              New invoice
            </a>
          ) : null}
          {canEdit ? (
            <a class="button" href={`/patients/${p.id}/edit`}>
              Edit
            </a>
          ) : null}
        </div>
      </div>
      <div class="columns">
        <section class="card" aria-labelledby="demographics-h">
          <h2 id="demographics-h">Details</h2>
          <dl class="facts">
            <Row label="MRN" value={p.mrn} cls="mono" />
            <Row label="Age" value={age} />
            <Row label="Sex" value={SEX_LABELS[p.sex] ?? p.sex} />
            <Row label="Phone" value={formatPhone(p.phone)} />
            <Row label="Email" value={p.email} />
            <Row label="Address" value={p.address} cls="pre" />
            <Row label="ABHA number" value={p.abha_number} cls="mono" />
          </dl>
        </section>
        <section class="card" aria-labelledby="history-h">
          <h2 id="history-h">History of this record</h2>
          <ol class="history">
            {history.map((e) => (
              <HistoryItem e={e} timeZone={timeZone} />
            ))}
          </ol>
        </section>
      </div>
    </>
  );
}

export function PatientPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; patient: PatientView; history: HistoryEntry[]; timeZone: string } & PatientActions) {
  return (
    <Layout title={p.patient.name} user={p.user} clinicName={p.clinicName} flash={p.flash} active="patients">
      <p class="crumbs">
        <a href="/patients">← Patients</a>
      </p>
      <PatientDetails patient={p.patient} history={p.history} timeZone={p.timeZone} canEdit={p.canEdit} canBook={p.canBook} canInvoice={p.canInvoice} />
    </Layout>
  );
}
