import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { interactionFieldsFromForm, SIGNAL_NAMES } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { HealthExplanation } from '~/components/health';
import { INTERACTION_TYPE_OPTIONS, InteractionFields } from '~/components/interaction-form';
import { SentimentDetails, SentimentTrendChart } from '~/components/sentiment';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { FormError, SelectFilter, formErrorOf } from '~/components/forms';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { formatDate, formatMoney, RISK_LABELS } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [{ title: `${page?.client.name ?? 'Client'} · ClientPulse` }];

const TYPES = INTERACTION_TYPE_OPTIONS;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const url = new URL(request.url);
  const clientId = params.clientId ?? '';
  const type = url.searchParams.get('type') || undefined;
  const [{ client, contacts }, timeline, trend, health] = await Promise.all([
    callProcedure(() => caller.clients.get({ workspaceSlug, clientId })),
    callProcedure(() =>
      caller.interactions.list({
        workspaceSlug,
        clientId,
        type: type as (typeof TYPES)[number][0] | undefined,
        cursor: url.searchParams.get('cursor') || undefined,
      }),
    ),
    callProcedure(() => caller.interactions.sentimentTrend({ workspaceSlug, clientId, days: 90 })),
    callProcedure(() => caller.health.client({ workspaceSlug, clientId, days: 90 })),
  ]);
  // A result stored in the last few seconds is followed by a health recompute (debounced ~1 s).
  const settling = timeline.interactions.some(
    (interaction) => interaction.sentimentAnalysedAt && Date.now() - new Date(interaction.sentimentAnalysedAt).getTime() < 8_000,
  );
  return { client, contacts, timeline, trend, health, settling, signalNames: SIGNAL_NAMES, canEdit: workspace.canEdit };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const result = await attemptProcedure(() =>
    caller.interactions.log({ workspaceSlug, clientId: params.clientId ?? '', fields: interactionFieldsFromForm(form) }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return { ok: true as const };
}

function LogInteractionForm({ contacts }: { contacts: Array<{ id: string; name: string }> }) {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) formRef.current?.reset();
  }, [result]);
  return (
    <Form method="post" ref={formRef} noValidate className="log-form" aria-labelledby="log-heading">
      <h3 id="log-heading">Log an interaction</h3>
      <FormError message={formErrorOf(result)} />
      {result?.ok ? (
        <p className="notice" role="status">
          Logged. Its sentiment appears below in a few seconds.
        </p>
      ) : null}
      <InteractionFields idPrefix="log" contacts={contacts} result={result} />
      <button type="submit" disabled={busy}>
        {busy ? 'Logging…' : 'Log interaction'}
      </button>
    </Form>
  );
}

export default function ClientPage() {
  const { client, contacts, timeline, trend, health, settling, signalNames, canEdit } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  // Sentiment arrives from the worker within seconds: keep the page fresh while any is pending.
  // The score follows a few seconds later: keep going while results are settling.
  useRevalidateWhile(settling || timeline.interactions.some((interaction) => interaction.sentimentStatus === 'pending'));
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

      <HealthExplanation health={health} thresholds={health.thresholds} />

      <div className="columns">
        <section className="card" aria-labelledby="timeline-heading">
          <div className="card-header">
            <h2 id="timeline-heading">Interactions</h2>
            <SelectFilter
              label="Show only"
              hideLabel
              name="type"
              id="timeline-type"
              defaultValue={params.get('type') ?? ''}
              options={[['', 'All types'], ...TYPES]}
            />
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
                    <time dateTime={new Date(interaction.occurredAt).toISOString()}>
                      {new Date(interaction.occurredAt).toISOString().slice(0, 16).replace('T', ' ')} UTC
                    </time>
                    {interaction.contactName ? ` · ${interaction.contactName}` : ''}
                    {interaction.authorName ? ` · by ${interaction.authorName}` : ''}
                    {canEdit ? (
                      <>
                        {' · '}
                        <Link
                          to={`interactions/${interaction.id}/edit`}
                          aria-label={
                            `Edit the ${interaction.type.replace('_', ' ')} of ` +
                            new Date(interaction.occurredAt).toISOString().slice(0, 10)
                          }
                        >
                          Edit
                        </Link>
                      </>
                    ) : null}
                  </p>
                  {interaction.subject ? <p className="timeline-subject">{interaction.subject}</p> : null}
                  {interaction.body ? <p className="timeline-body">{interaction.body}</p> : null}
                  <SentimentDetails sentiment={interaction} signalNames={signalNames} />
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
        <div className="stack">
          <section className="card" aria-labelledby="trend-heading">
            <h2 id="trend-heading">Sentiment trend</h2>
            <SentimentTrendChart points={trend} />
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
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
