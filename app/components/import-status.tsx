const LABELS = { uploaded: 'Waiting for mapping', queued: 'Queued', running: 'Importing', done: 'Done', failed: 'Failed' } as const;

export function ImportStatusPill({ status }: { status: keyof typeof LABELS }) {
  return <span className={`pill pill-import-${status}`}>{LABELS[status]}</span>;
}
