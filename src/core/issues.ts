/**
 * Item-level problems are data, never exceptions: readers return row issues, channel transforms
 * return item results, and both end up in the run report.
 */
export type Severity = "error" | "warning";

/** A problem with one row (or record) of a catalog file: `file:line: field: message`. */
export interface RowIssue {
  file: string;
  line: number;
  field?: string;
  /** The variant or product id of the row, when it could be read. */
  id?: string;
  /** Store records: the store's own id of the record (a GID, a WooCommerce id); shown instead of the line. */
  ref?: string;
  severity: Severity;
  message: string;
}

/** A problem with one item for one channel, found by the channel's validation. */
export interface ItemIssue {
  severity: Severity;
  /** Stable machine-readable code, e.g. `title_too_long`, `gtin_check_digit`. */
  code: string;
  /** The channel's field name the issue is about, e.g. `title` or `purchasable_offer`. */
  field?: string;
  message: string;
}

export function formatRowIssue(issue: RowIssue): string {
  const field = issue.field ? `${issue.field}: ` : "";
  const level = issue.severity === "warning" ? "warning: " : "";
  const where = issue.ref === undefined ? `${issue.file}:${issue.line}` : `${issue.file} ${issue.ref}`;
  return `${where}: ${level}${field}${issue.message}`;
}

export function hasErrors(issues: readonly { severity: Severity }[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}
