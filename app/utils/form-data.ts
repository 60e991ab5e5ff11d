/**
 * A number field of a submitted form for a zod-validated procedure: an empty or non-numeric value
 * becomes NaN, which the schema reports beside that field ("Enter … as a whole number").
 */
export function numberField(form: FormData, name: string): number {
  const value = String(form.get(name) ?? '').trim();
  return value === '' ? Number.NaN : Number(value);
}
