import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useParams } from '@remix-run/react';
import { SIGNAL_NAMES } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FieldErrors, FormError, IntentForm, Notice, SelectField, SubmitButton, errorsFor, formErrorOf } from '~/components/forms';
import { callProcedure, runIntent } from '~/trpc.server';
import { numberField } from '~/utils/form-data';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Alert rules and notifications · ClientPulse' }];

const MODES = [
  ['immediate', 'Immediately'],
  ['digest', 'In a daily digest'],
  ['off', 'Off'],
] as const;
const SEVERITIES = [
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
] as const;
/** The numeric parameters of each rule kind, as [name, label]. */
const NUMBER_PARAMS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  score_drop: [
    ['points', 'Drop of at least (points)'],
    ['days', 'Within (days)'],
  ],
  no_contact: [['days', 'Silent for at least (days)']],
  renewal_risk: [['days', 'Renewal within (days)']],
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug, workspace } = await requireWorkspace(request, context, params.slug);
  const { isAdmin } = workspace;
  const [preferences, rules, settings] = await Promise.all([
    callProcedure(() => caller.alerts.preferences({ workspaceSlug })),
    callProcedure(() => caller.alerts.rules({ workspaceSlug })),
    isAdmin ? callProcedure(() => caller.alerts.settings({ workspaceSlug })) : Promise.resolve(null),
  ]);
  // Churn signals a rule can listen to (expansion interest is good news).
  const signals = Object.entries(SIGNAL_NAMES).filter(([value]) => value !== 'expansion_interest');
  return { preferences, rules, settings, isAdmin, signals };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if (intent === 'preferences') {
    return runIntent(
      intent,
      () =>
        caller.alerts.setPreferences({
          workspaceSlug,
          email: String(form.get('email')) as 'immediate',
          slack: String(form.get('slack')) as 'immediate',
        }),
      'Your notification preferences are saved.',
    );
  }
  if (intent === 'settings') {
    return runIntent(
      intent,
      () =>
        caller.alerts.updateSettings({
          workspaceSlug,
          slackWebhookUrl: String(form.get('slackWebhookUrl') ?? ''),
          immediateCapPerHour: numberField(form, 'immediateCapPerHour'),
        }),
      'Alert delivery settings saved.',
    );
  }
  if (intent.startsWith('rule:')) {
    const ruleId = intent.slice('rule:'.length);
    const kind = String(form.get('kind') ?? '');
    const paramsOf: Record<string, unknown> =
      kind === 'churn_signal'
        ? { signals: form.getAll('signals').map(String) }
        : Object.fromEntries((NUMBER_PARAMS[kind] ?? []).map(([name]) => [name, numberField(form, name)]));
    return runIntent(
      intent,
      () =>
        caller.alerts.updateRule({
          workspaceSlug,
          ruleId,
          enabled: form.get('enabled') === 'on',
          severity: String(form.get('severity')) as 'high',
          cooldownDays: numberField(form, 'cooldownDays'),
          params: paramsOf,
        }),
      'Rule saved.',
    );
  }
  throw new Response('Unknown action', { status: 400 });
}

export default function AlertSettings() {
  const { preferences, rules, settings, isAdmin, signals } = useLoaderData<typeof loader>();
  const { slug } = useParams();
  const result = useActionData<typeof action>();
  const resultFor = (intent: string) => (result && 'intent' in result && result.intent === intent ? result : undefined);
  return (
    <div className="stack">
      <section className="card" aria-labelledby="prefs-heading">
        <p>
          <Link to={`/w/${slug}/alerts`}>← Alerts</Link>
        </p>
        <h2 id="prefs-heading">My notifications</h2>
        <p className="muted">
          For alerts on clients you own or are assigned (admins also hear of clients nobody owns). The inbox always has them.
        </p>
        {resultFor('preferences')?.ok ? <Notice>Your notification preferences are saved.</Notice> : null}
        <IntentForm intent="preferences" result={resultFor('preferences')} className="inline-form">
          <SelectField label="Email" name="email" id="pref-email" defaultValue={preferences.email} options={MODES} />
          <SelectField label="Slack" name="slack" id="pref-slack" defaultValue={preferences.slack} options={MODES} />
          <SubmitButton>Save my preferences</SubmitButton>
        </IntentForm>
      </section>
      {isAdmin && settings ? (
        <section className="card" aria-labelledby="delivery-heading">
          <h2 id="delivery-heading">Delivery</h2>
          {resultFor('settings')?.ok ? <Notice>Alert delivery settings saved.</Notice> : null}
          <IntentForm intent="settings" result={resultFor('settings')} noValidate>
            <Field
              label="Slack incoming webhook URL"
              name="slackWebhookUrl"
              type="url"
              defaultValue={settings.slackWebhookUrl ?? ''}
              hint="Slack → Apps → Incoming Webhooks → Add to a channel. Leave empty for no Slack messages."
              errors={errorsFor(resultFor('settings'), 'slackWebhookUrl')}
              autoComplete="off"
            />
            <Field
              label="Immediate notifications per person per hour"
              name="immediateCapPerHour"
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              defaultValue={settings.immediateCapPerHour}
              hint="Past this, the rest wait for that person's daily digest (07:00 UTC), so a bad morning is one email, not fifty."
              errors={errorsFor(resultFor('settings'), 'immediateCapPerHour')}
            />
            <SubmitButton>Save delivery settings</SubmitButton>
          </IntentForm>
        </section>
      ) : null}
      <section className="card" aria-labelledby="rules-heading">
        <h2 id="rules-heading">Rules</h2>
        <p className="muted">
          At most one open alert per client and rule: a new trigger updates the open alert. After an alert is resolved, the same rule stays
          quiet for that client for its cool-down.
          {isAdmin ? '' : ' Admins change the rules.'}
        </p>
        <div className="rules">
          {rules.map((rule) => {
            const ruleResult = resultFor(`rule:${rule.id}`);
            return (
              <IntentForm
                intent={`rule:${rule.id}`}
                noValidate
                key={rule.id}
                className="rule card-inner"
                data-testid={`rule-${rule.kind}`}
                aria-labelledby={`rule-${rule.id}-name`}
              >
                <input type="hidden" name="kind" value={rule.kind} />
                <h3 id={`rule-${rule.id}-name`}>{rule.label}</h3>
                {ruleResult?.ok ? <Notice>Rule saved.</Notice> : null}
                <FormError message={formErrorOf(ruleResult)} />
                <fieldset disabled={!isAdmin} className="form-grid">
                  <legend className="visually-hidden">{rule.label}</legend>
                  <div className="field choice">
                    <input type="checkbox" id={`enabled-${rule.id}`} name="enabled" defaultChecked={rule.enabled} />
                    <label htmlFor={`enabled-${rule.id}`}>On</label>
                  </div>
                  <SelectField
                    label="Severity"
                    name="severity"
                    id={`severity-${rule.id}`}
                    defaultValue={rule.severity}
                    options={SEVERITIES}
                  />
                  <Field
                    label="Cool-down (days)"
                    name="cooldownDays"
                    id={`cooldown-${rule.id}`}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={90}
                    defaultValue={rule.cooldownDays}
                    errors={errorsFor(ruleResult, 'cooldownDays')}
                  />
                  {(NUMBER_PARAMS[rule.kind] ?? []).map(([name, label]) => (
                    <Field
                      key={name}
                      label={label}
                      name={name}
                      id={`${name}-${rule.id}`}
                      type="number"
                      inputMode="numeric"
                      defaultValue={String(rule.params[name] ?? '')}
                      errors={errorsFor(ruleResult, name)}
                    />
                  ))}
                  {rule.kind === 'churn_signal' ? (
                    <fieldset className="field-wide">
                      <legend>Signals that raise it</legend>
                      {signals.map(([value, label]) => (
                        <div className="choice" key={value}>
                          <input
                            type="checkbox"
                            id={`signal-${value}`}
                            name="signals"
                            value={value}
                            defaultChecked={Array.isArray(rule.params.signals) && (rule.params.signals as string[]).includes(value)}
                          />
                          <label htmlFor={`signal-${value}`}>{label}</label>
                        </div>
                      ))}
                      <FieldErrors errors={errorsFor(ruleResult, 'signals')} />
                    </fieldset>
                  ) : null}
                </fieldset>
                {isAdmin ? <SubmitButton className="button-secondary">Save {rule.label.toLowerCase()}</SubmitButton> : null}
              </IntentForm>
            );
          })}
        </div>
      </section>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
