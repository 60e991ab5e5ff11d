import type { ReactNode } from 'react';

/**
 * A table in the app's style: its caption for screen readers (when given), a header row of column headings (a null one is left out,
 * for a column only some people see), and `children` as the body's rows; `scroll` wraps it to scroll sideways on narrow screens.
 */
export function DataTable({
  columns,
  caption,
  testId,
  className,
  scroll = false,
  children,
}: {
  columns: ReactNode[];
  caption?: string;
  testId?: string;
  className?: string;
  scroll?: boolean;
  children: ReactNode;
}) {
  const headings = columns.filter((column) => column !== null && column !== undefined && column !== false);
  const table = (
    <table className={className ? `table ${className}` : 'table'} data-testid={testId}>
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          {headings.map((heading, index) => (
            <th key={index} scope="col">
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className="table-scroll">{table}</div> : table;
}
