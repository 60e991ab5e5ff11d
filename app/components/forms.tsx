import { Form, useNavigation, type FormProps } from '@remix-run/react';
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from 'react';

type Options = ReadonlyArray<readonly [string, string]>;

export type FormFailure = { ok: false; formError: string | null; fieldErrors: Record<string, string[]> };

/** Field errors of an action's failure, for one field name. */
export function errorsFor(result: unknown, name: string): string[] | undefined {
  const failure = result as Partial<FormFailure> | undefined;
  return failure?.ok === false ? failure.fieldErrors?.[name] : undefined;
}

/** The form-level message of an action's failure, if any. */
export function formErrorOf(result: unknown): string | null {
  const failure = result as Partial<FormFailure> | undefined;
  return failure?.ok === false ? (failure.formError ?? null) : null;
}

/** A labelled input with its hint and errors wired for screen readers (aria-invalid, aria-describedby). */
export function Field({
  label,
  name,
  errors,
  hint,
  ...input
}: { label: string; name: string; errors?: string[]; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = input.id ?? `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={errors?.length ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

/** A field's error messages, one line each, announced to screen readers; nothing when there are none. */
export function FieldErrors({ id, errors }: { id?: string; errors?: string[] }) {
  return errors?.length ? (
    <p id={id} className="field-error" role="alert">
      {errors.map((error) => (
        <span key={error} className="error-line">
          {error}
        </span>
      ))}
    </p>
  ) : null;
}

export function FormError({ message }: { message: string | null }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

/**
 * A POST form for one intent of the page's action: the hidden `intent` field, then the form-level error of `result` (that intent's
 * result, when it failed), then `children`.
 */
export function IntentForm({ intent, result, children, ...form }: { intent: string; result?: unknown } & Omit<FormProps, 'method'>) {
  return (
    <Form method="post" {...form}>
      <input type="hidden" name="intent" value={intent} />
      <FormError message={formErrorOf(result)} />
      {children}
    </Form>
  );
}

/** A submit button, disabled while the page submits a form (and whenever `disabled` says so). */
export function SubmitButton({ disabled = false, ...button }: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type'>) {
  const busy = useNavigation().state === 'submitting';
  return <button type="submit" disabled={busy || disabled} {...button} />;
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

/** A labelled select: `options` as [value, label] pairs. */
export function SelectField({
  label,
  name,
  id,
  options,
  defaultValue,
}: {
  label: string;
  name: string;
  id?: string;
  options: Options;
  defaultValue?: string;
}) {
  const selectId = id ?? `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} name={name} defaultValue={defaultValue}>
        <OptionList options={options} />
      </select>
    </div>
  );
}

/** A one-select filter: a GET form with its select and a small "Show" button; `options` as [value, label] pairs. */
export function SelectFilter({
  label,
  name,
  id,
  options,
  defaultValue,
  hideLabel = false,
}: {
  label: string;
  name: string;
  id: string;
  options: Options;
  defaultValue?: string;
  hideLabel?: boolean;
}) {
  return (
    <Form method="get" className="inline-form">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue}>
        <OptionList options={options} />
      </select>
      <button type="submit" className="button-small">
        Show
      </button>
    </Form>
  );
}

function OptionList({ options }: { options: Options }) {
  return options.map(([value, text]) => (
    <option key={value} value={value}>
      {text}
    </option>
  ));
}
