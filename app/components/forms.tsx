import type { InputHTMLAttributes, ReactNode } from 'react';

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
  options: ReadonlyArray<readonly [string, string]>;
  defaultValue?: string;
}) {
  const selectId = id ?? `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} name={name} defaultValue={defaultValue}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
