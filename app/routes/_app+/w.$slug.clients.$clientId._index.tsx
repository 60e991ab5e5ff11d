import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, SelectField, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { formatDate, formatMoney, RISK_LABELS } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [{ title: `${page?.client.name ?? 'Client'} · ClientPulse` }];

const TYPES = [
  ['email', 'Email'],
  ['call', 'Call'],
  ['meeting', 'Meeting'],
  ['support_ticket', 'Support ticket'],
  ['chat', 'Chat'],
  ['note', 'Note'],
] as const;

const DIRECTIONS = [
  ['inbound', 'From the client'],
  ['outbound', 'To the client'],
  ['internal', 'Internal note'],
] as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const url = new URL(request.url);
  const clientId = params.clientId ?? '';
  const type = url.searchParams.get('type') || undefined;
  const [{ client, contacts }, timeline] = await Promise.all([
    callProcedure(() => caller.clients.get({ workspaceSlug, clientId })),
    callProcedure(() =>
      caller.interactions.list({ workspaceSlug, clientId, type: type as (typeof TYPES)[number][0] | undefined, cursor: url.searchParams.get('cursor') || undefined }),
    ),
  ]);
  return { client, contacts, timeline, canEdit: workspace.role !== 'viewer' };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? '');
  const occurredAt = text('occurredAt');
  const result = await attemptProcedure(() =>
    caller.interactions.log({
      workspaceSlug,
      clientId: params.clientId ?? '',
      fields: {
        type: text('type') as (typeof TYPES)[number][0],
        direction: text('direction') as 'inbound' | 'outbound' | 'internal',
        // The browser's local time with its offset (sent by the form) or now.
        occurredAt: occurredAt ? `${occurredAt}:00${text('timezoneOffset') || 'Z'}` : undefined,
        subject: text('subject'),
        body: text('body'),
        contactId: text('contactId') || null,
      },
    }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return { ok: true as const };
}

function LogInteractionForm({ contacts }: { contacts: Array<{ id: string; name: string }> }) {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const formRef = useRef<HTMLFormElement>(null);
  const offsetRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (result?.ok) formRef.current?.reset();
  }, [result]);
  useEffect(() => {
    const minutes = -new Date().getTimezoneOffset();
    const sign = minutes >= 0 ? '+' : '-';
    const abs = Math.abs(minutes);
    if (offsetRef.current) offsetRef.current.value = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }, []);
  return (
    <Form method="post" ref={formRef} noValidate className="log-form" aria-labelledby="log-heading">
      <h3 id="log-heading">Log an interaction</h3>
      <FormError message={formErrorOf(result)} />
      {result?.ok ? <p className="notice" role="status">Logged. Sentiment analysis is pending.</p> : null}
      <input type="hidden" name="timezoneOffset" ref={offsetRef} />
      <div className="form-grid">
        <SelectField label="Type" name="type" id="log-type" defaultValue="email" options={TYPES} />
        <SelectField label="Direction" name="direction" id="log-direction" defaultValue="inbound" options={DIRECTIONS} />
        <SelectField
          label="Contact"
          name="contactId"
          id="log-contact"
          defaultValue=""
          options={[['', '—'], ...contacts.map((contact) => [contact.id, contact.name] as const)]}
        />
        <Field label="When" name="occurredAt" type="datetime-local" hint="Leave empty for now." errors={errorsFor(result, 'fields.occurredAt')} />
      </div>
      <Field label="Subject" name="subject" errors={errorsFor(result, 'fields.subject')} />
      <div className="field">
        <label htmlFor="log-body">What was said</label>
        <textarea id="log-body" name="body" rows={4} />
        {errorsFor(result, 'fields.body') ? <p className="field-error">{errorsFor(result, 'fields.body')?.join(' ')}</p> : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Logging…' : 'Log interaction'}
      </button>
    </Form>
  );
}

export default function ClientPage() {
  const { client, contacts, timeline, canEdit } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const next = new URLSearchParams(params);
  if (timeline.nextCursor) next.set('cursor', timeline.nextCursor);
  return (
    <>
      <section className="card client-header" aria-labelledby="client-heading">
        <div className="card-header">
          <h2 id="client-heading">
            {client.name}
            {client.status !== 'active' ? <span className="pill">{client.status}</span> : null}
          </h2>
          {canEdit ? (
            <Link className="button button-secondary" to="edit">
              Edit
            </Link>
          ) : null}
        </div>
        <dl className="facts">
          <div>
            <dt>Health</dt>
            <dd>{client.healthScore === null ? 'Not scored yet' : client.healthScore}</dd>
          </div>
          <div>
            <dt>Risk</dt>
            <dd>{client.riskLevel ? RISK_LABELS[client.riskLevel] : 'Not scored yet'}</dd>
          </div>
          <div>
            <dt>MRR</dt>
            <dd>{formatMoney(client.mrrCents, client.currency)}</dd>
          </div>
          <div>
            <dt>Renewal</dt>
            <dd>{formatDate(client.renewalDate)}</dd>
          </div>
          <div>
            <dt>Owner</dt>
            <dd>{client.ownerName ?? 'Nobody yet'}</dd>
          </div>
          <div>
            <dt>Domain</dt>
            <dd>{client.domain ?? '—'}</dd>
          </div>
        </dl>
        {client.status === 'churned' ? (
          <p className="muted">
            Churned {formatDate(client.churnedAt)}
            {client.churnReason ? `: ${client.churnReason}` : ''}
          </p>
        ) : null}
      </section>

      <div className="columns">
        <section className="card" aria-labelledby="timeline-heading">
          <div className="card-header">
            <h2 id="timeline-heading">Interactions</h2>
            <Form method="get" className="inline-form">
              <label htmlFor="timeline-type" className="visually-hidden">
                Show only
              </label>
              <select id="timeline-type" name="type" defaultValue={params.get('type') ?? ''}>
                <option value="">All types</option>
                {TYPES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              <button type="submit" className="button-small">
                Show
              </button>
            </Form>
          </div>
          {canEdit ? <LogInteractionForm contacts={contacts} /> : null}
          {timeline.interactions.length === 0 ? (
            <p className="muted">No interactions yet{canEdit ? ': log the first one above.' : '.'}</p>
          ) : (
            <ol className="timeline">
              {timeline.interactions.map((interaction) => (
                <li key={interaction.id} data-testid="interaction">
                  <p className="timeline-meta">
                    <strong>{TYPES.find(([value]) => value === interaction.type)?.[1]}</strong> · {interaction.direction} ·{' '}
                    <time dateTime={new Date(interaction.occurredAt).toISOString()}>{new Date(interaction.occurredAt).toISOString().slice(0, 16).replace('T', ' ')} UTC</time>
                    {interaction.contactName ? ` · ${interaction.contactName}` : ''}
                    {interaction.authorName ? ` · by ${interaction.authorName}` : ''}
                    <span className="pill">{interaction.sentimentStatus === 'done' ? interaction.sentimentLabel : `sentiment ${interaction.sentimentStatus}`}</span>
                  </p>
                  {interaction.subject ? <p className="timeline-subject">{interaction.subject}</p> : null}
                  {interaction.body ? <p className="timeline-body">{interaction.body}</p> : null}
                </li>
              ))}
            </ol>
          )}
          {timeline.nextCursor ? (
            <p>
              <Link to={`?${next.toString()}`}>Older interactions →</Link>
            </p>
          ) : null}
        </section>
        <section className="card" aria-labelledby="contacts-heading">
          <h2 id="contacts-heading">Contacts</h2>
          {contacts.length === 0 ? (
            <p className="muted">No contacts yet.</p>
          ) : (
            <ul className="list">
              {contacts.map((contact) => (
                <li key={contact.id}>
                  <span>
                    <strong>{contact.name}</strong>
                    {contact.isPrimary ? <span className="pill">primary</span> : null}
                    <br />
                    <span className="muted">
                      {[contact.title, contact.email].filter(Boolean).join(' · ')}
                      {contact.unsubscribed ? ' · unsubscribed' : ''}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
