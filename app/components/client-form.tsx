import { Field, errorsFor } from './forms';

type Member = { userId: string; name: string };
type ClientValues = {
  name?: string;
  domain?: string | null;
  externalId?: string | null;
  status?: string;
  churnedAt?: string | null;
  churnReason?: string | null;
  mrrCents?: number;
  currency?: string;
  planName?: string | null;
  renewalDate?: string | null;
  ownerId?: string | null;
  tags?: string[];
  stripeCustomerId?: string | null;
  notes?: string | null;
};

/** The client fields, shared by "Add client" and "Edit"; errors come from the procedure as `fields.<name>`. */
export function ClientFields({ values = {}, members, result }: { values?: ClientValues; members: Member[]; result: unknown }) {
  const errors = (name: string) => errorsFor(result, `fields.${name}`);
  return (
    <div className="form-grid">
      <Field label="Name" name="name" required defaultValue={values.name} errors={errors('name')} />
      <Field label="Domain" name="domain" defaultValue={values.domain ?? ''} placeholder="acme.com" errors={errors('domain')} />
      <Field
        label="External id"
        name="externalId"
        defaultValue={values.externalId ?? ''}
        hint="The id in your CRM or billing system."
        errors={errors('externalId')}
      />
      <div className="field">
        <label htmlFor="field-status">Status</label>
        <select id="field-status" name="status" defaultValue={values.status ?? 'active'}>
          <option value="active">Active</option>
          <option value="paused">Paused</option>
          <option value="churned">Churned</option>
        </select>
      </div>
      <Field
        label="Churn date"
        name="churnedAt"
        type="date"
        defaultValue={values.churnedAt ?? ''}
        hint="Only for churned clients."
        errors={errors('churnedAt')}
      />
      <Field label="Churn reason" name="churnReason" defaultValue={values.churnReason ?? ''} errors={errors('churnReason')} />
      <Field
        label="MRR"
        name="mrr"
        inputMode="decimal"
        defaultValue={values.mrrCents !== undefined ? String(values.mrrCents / 100) : ''}
        hint="Monthly recurring revenue, in whole currency units."
        errors={errors('mrrCents')}
      />
      <Field label="Currency" name="currency" defaultValue={values.currency ?? 'USD'} maxLength={3} errors={errors('currency')} />
      <Field label="Plan" name="planName" defaultValue={values.planName ?? ''} errors={errors('planName')} />
      <Field label="Renewal date" name="renewalDate" type="date" defaultValue={values.renewalDate ?? ''} errors={errors('renewalDate')} />
      <div className="field">
        <label htmlFor="field-ownerId">Account owner</label>
        <select id="field-ownerId" name="ownerId" defaultValue={values.ownerId ?? ''}>
          <option value="">Nobody yet</option>
          {members.map((member) => (
            <option key={member.userId} value={member.userId}>
              {member.name}
            </option>
          ))}
        </select>
        {errors('ownerId') ? <p className="field-error">{errors('ownerId')?.join(' ')}</p> : null}
      </div>
      <Field
        label="Tags"
        name="tags"
        defaultValue={values.tags?.join(', ') ?? ''}
        hint="Comma-separated, e.g. enterprise, emea"
        errors={errors('tags') ?? errors('tags.0')}
      />
      <Field
        label="Stripe customer id"
        name="stripeCustomerId"
        defaultValue={values.stripeCustomerId ?? ''}
        placeholder="cus_…"
        errors={errors('stripeCustomerId')}
      />
      <div className="field field-wide">
        <label htmlFor="field-notes">Notes</label>
        <textarea id="field-notes" name="notes" rows={3} defaultValue={values.notes ?? ''} />
      </div>
    </div>
  );
}
