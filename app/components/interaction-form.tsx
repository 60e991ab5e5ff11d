import { useEffect, useRef } from 'react';
import { Field, SelectField, errorsFor } from '~/components/forms';

export const INTERACTION_TYPE_OPTIONS = [
  ['email', 'Email'],
  ['call', 'Call'],
  ['meeting', 'Meeting'],
  ['support_ticket', 'Support ticket'],
  ['chat', 'Chat'],
  ['note', 'Note'],
] as const;

export const DIRECTION_OPTIONS = [
  ['inbound', 'From the client'],
  ['outbound', 'To the client'],
  ['internal', 'Internal note'],
] as const;

type Result = Parameters<typeof errorsFor>[0];
export type InteractionValues = {
  type: string;
  direction: string;
  occurredAt?: string | Date | null;
  subject: string | null;
  body: string;
  contactId: string | null;
};

/** `YYYY-MM-DDTHH:mm` in the browser's zone, for a datetime-local input. */
function localInputValue(value: string | Date | null | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * The fields of an interaction, shared by the log form and the edit form; posts `timezoneOffset`
 * so the server reads the local time the person typed.
 */
export function InteractionFields({
  idPrefix,
  contacts,
  result,
  values,
}: {
  idPrefix: string;
  contacts: Array<{ id: string; name: string }>;
  result: Result;
  values?: InteractionValues;
}) {
  const offsetRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const minutes = -new Date().getTimezoneOffset();
    const sign = minutes >= 0 ? '+' : '-';
    const abs = Math.abs(minutes);
    if (offsetRef.current)
      offsetRef.current.value = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    // The server renders UTC; the browser shows the person's own time.
    const local = localInputValue(values?.occurredAt);
    const when = document.getElementById(`${idPrefix}-when`) as HTMLInputElement | null;
    if (when && local) when.value = local;
  }, [idPrefix, values?.occurredAt]);
  const bodyErrors = errorsFor(result, 'fields.body');
  return (
    <>
      <input type="hidden" name="timezoneOffset" ref={offsetRef} />
      <div className="form-grid">
        <SelectField
          label="Type"
          name="type"
          id={`${idPrefix}-type`}
          defaultValue={values?.type ?? 'email'}
          options={INTERACTION_TYPE_OPTIONS}
        />
        <SelectField
          label="Direction"
          name="direction"
          id={`${idPrefix}-direction`}
          defaultValue={values?.direction ?? 'inbound'}
          options={DIRECTION_OPTIONS}
        />
        <SelectField
          label="Contact"
          name="contactId"
          id={`${idPrefix}-contact`}
          defaultValue={values?.contactId ?? ''}
          options={[['', '—'], ...contacts.map((contact) => [contact.id, contact.name] as const)]}
        />
        <Field
          label="When"
          name="occurredAt"
          type="datetime-local"
          id={`${idPrefix}-when`}
          defaultValue={values?.occurredAt ? new Date(values.occurredAt).toISOString().slice(0, 16) : undefined}
          hint={values ? 'Your local time.' : 'Leave empty for now.'}
          errors={errorsFor(result, 'fields.occurredAt')}
        />
      </div>
      <Field label="Subject" name="subject" defaultValue={values?.subject ?? undefined} errors={errorsFor(result, 'fields.subject')} />
      <div className="field">
        <label htmlFor={`${idPrefix}-body`}>What was said</label>
        <textarea id={`${idPrefix}-body`} name="body" rows={4} defaultValue={values?.body} aria-invalid={bodyErrors ? true : undefined} />
        {bodyErrors ? <p className="field-error">{bodyErrors.join(' ')}</p> : null}
      </div>
    </>
  );
}
