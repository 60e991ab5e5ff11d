import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, IntentForm, Notice, SelectFilter, SubmitButton, formErrorOf } from '~/components/forms';
import { DataTable } from '~/components/table';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { callProcedure, runIntent } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Background jobs · ClientPulse' }];

/** Settings → Background jobs: every queue's counts, the workspace's dead-lettered jobs, retry one or all. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace, caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const queueParam = new URL(request.url).searchParams.get('queue') || undefined;
  // The procedures are for admins: anyone else gets their 403 with its message.
  const [overview, failed] = await Promise.all([
    callProcedure(() => caller.jobs.overview({ workspaceSlug })),
    callProcedure(() => caller.jobs.failed({ workspaceSlug, queue: queueParam })),
  ]);
  return { workspace, overview, failed, queue: queueParam ?? '' };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if (intent === 'retry') {
    return runIntent(
      intent,
      () => caller.jobs.retry({ workspaceSlug, failedJobId: String(form.get('failedJobId') ?? '') }),
      'Sent back to the queue.',
    );
  }
  if (intent === 'retry-all') {
    const queue = String(form.get('queue') ?? '') || undefined;
    return runIntent(intent, () => caller.jobs.retryAll({ workspaceSlug, queue }), 'Every listed job was sent back to its queue.');
  }
  throw new Response('Unknown action', { status: 400 });
}

const formatTime = (value: string | Date) => `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const count = (n: number) => n.toLocaleString('en-US');

export default function BackgroundJobs() {
  const { workspace, overview, failed, queue } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // The counts move while the worker works: fresh every five seconds while the tab is visible.
  useRevalidateWhile(true, 5_000);
  const base = `/w/${workspace.slug}`;
  return (
    <>
      <p>
        <Link to={`${base}/settings`}>← Settings</Link>
      </p>
      <section className="card" aria-labelledby="queues-heading">
        <h2 id="queues-heading">Background jobs</h2>
        <p className="muted">
          What the worker is doing. Waiting, active, delayed and completed count every workspace on this server; dead-lettered counts this
          workspace&apos;s jobs that failed every attempt.
        </p>
        <DataTable
          scroll
          testId="queue-counts"
          caption="Jobs per queue"
          columns={['Queue', 'Waiting', 'Active', 'Delayed', 'Completed in the last hour', 'Dead-lettered']}
        >
          {overview.map((row) => (
            <tr key={row.queue} data-testid={`queue-${row.queue}`}>
              <th scope="row">
                {row.queue}
                <br />
                <span className="muted">{row.description}</span>
              </th>
              <td data-label="Waiting">{count(row.waiting)}</td>
              <td data-label="Active">{count(row.active)}</td>
              <td data-label="Delayed">{count(row.delayed)}</td>
              <td data-label="Completed in the last hour">{count(row.completedLastHour)}</td>
              <td data-label="Dead-lettered">
                {row.deadLettered ? <Link to={`?queue=${row.queue}#dead-heading`}>{count(row.deadLettered)}</Link> : '0'}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="card" aria-labelledby="dead-heading">
        <h2 id="dead-heading">Dead-lettered jobs</h2>
        {result?.ok ? <Notice>{result.done}</Notice> : null}
        <FormError message={formErrorOf(result?.ok === false ? result : undefined)} />
        <div className="filters">
          <SelectFilter
            label="Queue"
            name="queue"
            id="queue-filter"
            defaultValue={queue}
            options={[['', 'All queues'], ...overview.map((row) => [row.queue, row.queue] as const)]}
          />
          {failed.length ? (
            <IntentForm intent="retry-all">
              <input type="hidden" name="queue" value={queue} />
              <SubmitButton>Retry all{queue ? ` ${queue} jobs` : ''}</SubmitButton>
            </IntentForm>
          ) : null}
        </div>
        {failed.length === 0 ? (
          <p className="muted" data-testid="no-failed-jobs">
            No dead-lettered jobs{queue ? ` in the ${queue} queue` : ''}. A job that fails every attempt (the LLM down for minutes, a Slack
            webhook that refuses) is listed here with its error, and can be sent back to its queue.
          </p>
        ) : (
          <DataTable
            caption="Jobs that failed every attempt"
            columns={['Failed', 'Job', 'Error', <span className="visually-hidden">Retry</span>]}
          >
            {failed.map((job) => (
              <tr key={job.id} data-testid="failed-job">
                <td>{formatTime(job.failedAt)}</td>
                <td>
                  {job.queue} after {job.attempts} {job.attempts === 1 ? 'attempt' : 'attempts'}
                  <span className="muted"> · {job.jobName}</span>
                  {job.clientId ? (
                    <>
                      {' · '}
                      <Link to={`${base}/clients/${job.clientId}`}>{job.clientName}</Link>
                    </>
                  ) : null}
                  {job.importId ? (
                    <>
                      {' · '}
                      <Link to={`${base}/imports/${job.importId}`}>the import</Link>
                    </>
                  ) : null}
                </td>
                <td className="error-text">{job.error}</td>
                <td>
                  <IntentForm intent="retry">
                    <input type="hidden" name="failedJobId" value={job.id} />
                    <SubmitButton className="button-small" aria-label={`Retry the ${job.queue} job`}>
                      Retry
                    </SubmitButton>
                  </IntentForm>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
