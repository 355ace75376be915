/** One line of an audit entry's details: a field with its value, or before and after a change. */
export interface DetailRow {
  field: string;
  before?: string;
  after?: string;
  value?: string;
  changed: boolean;
}

export interface DetailView {
  /** 'change': before and after columns; 'fields': one value each. */
  kind: 'change' | 'fields';
  rows: DetailRow[];
}

/** A value as a person reads it: text as it is, nothing as a dash, the rest as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(', ');
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What an audit entry's details say, laid out: with `before` and/or `after` objects, a field per row with
 * both sides and whether it changed (the other keys follow as plain fields); otherwise a row per key.
 */
export function detailView(details: Record<string, unknown> | null | undefined): DetailView {
  if (!details) return { kind: 'fields', rows: [] };
  const before = isObject(details['before']) ? details['before'] : undefined;
  const after = isObject(details['after']) ? details['after'] : undefined;
  if (before === undefined && after === undefined) {
    return { kind: 'fields', rows: Object.entries(details).map(([field, value]) => ({ field, value: show(value), changed: false })) };
  }
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const rows: DetailRow[] = fields.map((field) => {
    const b = before === undefined ? undefined : show(before[field]);
    const a = after === undefined ? undefined : show(after[field]);
    return { field, before: b, after: a, changed: before !== undefined && after !== undefined && b !== a };
  });
  for (const [field, value] of Object.entries(details)) {
    if (field !== 'before' && field !== 'after') rows.push({ field, value: show(value), changed: false });
  }
  return { kind: 'change', rows };
}

/** The line an entry reads as when folded: "updateAclRule 3: position 2 → 1". */
export function headline(action: string, target: string | null | undefined, details: Record<string, unknown> | null | undefined): string {
  const view = detailView(details);
  const changed = view.rows.filter((r) => r.changed).map((r) => `${r.field} ${r.before} → ${r.after}`);
  return [`${action}${target ? ` ${target}` : ''}`, changed.join(', ')].filter(Boolean).join(': ');
}
