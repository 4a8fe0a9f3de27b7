// Small shared pieces of forms and pages.
import type { Children } from '@kitajs/html';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface FieldProps {
  label: string;
  name: string;
  value?: string | number | null;
  type?: string;
  required?: boolean;
  error?: string | null;
  hint?: string;
  autofocus?: boolean;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  pattern?: string;
  min?: string | number;
  max?: string | number;
  placeholder?: string;
  attrs?: Record<string, string>;
}

/** A labelled input with its error message tied to it for screen readers. */
export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const describedBy = [p.error ? `${id}-error` : null, p.hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {p.label + (p.required ? ' *' : '')}
      </label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value === null || p.value === undefined ? undefined : String(p.value)}
        required={p.required}
        autofocus={p.autofocus}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        maxlength={p.maxlength}
        pattern={p.pattern}
        min={p.min === undefined ? undefined : String(p.min)}
        max={p.max === undefined ? undefined : String(p.max)}
        placeholder={p.placeholder}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy}
        {...(p.attrs ?? {})}
      />
      {p.hint ? (
        <small id={`${id}-hint`} class="hint" safe>
          {p.hint}
        </small>
      ) : null}
      {p.error ? (
        <small id={`${id}-error`} class="error" safe>
          {p.error}
        </small>
      ) : null}
    </div>
  );
}

export function ErrorSummary({ message }: { message?: string | null }) {
  return message ? (
    <p class="flash flash-error" role="alert" safe>
      {message}
    </p>
  ) : null;
}

export function Card({ title, children }: { title?: string; children?: Children }) {
  return (
    <section class="card">
      {title ? <h2 safe>{title}</h2> : null}
      {children}
    </section>
  );
}

/** "2026-11-23T04:30:00Z" shown in the branch's zone: "23 Nov 2026, 10:00". */
export function formatDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-IN', { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

/** "2026-11-23T04:30:00Z" as the branch's calendar date: "23 Nov 2026". */
export function formatDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-IN', { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

/** "2001-03-09" (a calendar date, no zone) as "9 Mar 2001". */
export function formatCalendarDate(ymd: string): string {
  return new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${ymd}T00:00:00Z`));
}

/** "+919876543210" → "+91 98765 43210"; other numbers as stored. */
export function formatPhone(e164: string): string {
  const m = /^\+91(\d{5})(\d{5})$/.exec(e164);
  return m ? `+91 ${m[1]} ${m[2]}` : e164;
}

/** A row of buttons and links under a form or a heading. */
export function Actions({ children }: { children?: Children }) {
  return <div class="actions">{children}</div>;
}
