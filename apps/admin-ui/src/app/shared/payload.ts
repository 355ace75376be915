/** How a payload is shown: as text, as pretty-printed JSON, or as a hex dump. */
export type PayloadView = 'text' | 'json' | 'hex';

/** What the API gives of every payload: base64 always, text when it is valid UTF-8. */
export interface Payload {
  payloadBase64: string;
  payloadText: string | null;
}

/** The bytes of a base64 string. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The bytes of a text as UTF-8, in base64: for the publish mutation's base64 encoding. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * A hex dump, 16 bytes a line: offset, the bytes, and the printable ASCII beside them.
 * `00000000  7b 22 61 22 3a 31 7d                              |{"a":1}|`. At most `maxBytes` are shown.
 */
export function hexDump(bytes: Uint8Array, maxBytes = 4096): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      if (i < row.length) {
        hex += row[i]!.toString(16).padStart(2, '0') + ' ';
        ascii += row[i]! >= 0x20 && row[i]! < 0x7f ? String.fromCharCode(row[i]!) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

/** The text pretty-printed when it is a JSON object or array (or any JSON value but a bare string); else null. */
export function prettyJson(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return null;
  }
}

/** The view a payload opens in: JSON when it parses as JSON, text when it is text, else hex. */
export function defaultView(payload: Payload): PayloadView {
  if (prettyJson(payload.payloadText) !== null) return 'json';
  return payload.payloadText !== null ? 'text' : 'hex';
}

/** A payload shown one way; `note` says why the view asked for could not be used. */
export interface Formatted {
  body: string;
  note: string | null;
}

export function formatPayload(payload: Payload, view: PayloadView): Formatted {
  if (view === 'hex') return { body: hexDump(base64ToBytes(payload.payloadBase64)), note: null };
  if (payload.payloadText === null) return { body: hexDump(base64ToBytes(payload.payloadBase64)), note: 'Not UTF-8 text: shown in hex.' };
  if (view === 'json') {
    const json = prettyJson(payload.payloadText);
    if (json !== null) return { body: json, note: null };
    return { body: payload.payloadText, note: 'Not JSON: shown as text.' };
  }
  return { body: payload.payloadText, note: null };
}

/** One line for a list: the text (or "n bytes" for binary), cut at `max` characters. */
export function payloadPreview(payload: Payload, max = 120): string {
  if (payload.payloadText === null) {
    const size = Math.floor((payload.payloadBase64.length * 3) / 4) - (payload.payloadBase64.match(/=*$/)?.[0].length ?? 0);
    return `(binary, ${size} byte${size === 1 ? '' : 's'})`;
  }
  if (payload.payloadText === '') return '(empty)';
  const line = payload.payloadText.replace(/\s+/g, ' ');
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** Payload size in bytes, from its base64. */
export function payloadBytes(payload: Payload): number {
  const b = payload.payloadBase64;
  return Math.floor((b.length * 3) / 4) - (b.match(/=*$/)?.[0].length ?? 0);
}

const PROPERTY_LABELS: Record<string, string> = {
  payloadFormatIndicator: 'Payload format',
  messageExpiryInterval: 'Message expiry (s)',
  contentType: 'Content type',
  responseTopic: 'Response topic',
  correlationData: 'Correlation data (base64)',
  subscriptionIdentifier: 'Subscription identifier',
  topicAlias: 'Topic alias',
  userProperties: 'User properties',
};

/** MQTT 5.0 properties as label/value rows; user properties one row each ("user: key"). */
export function propertyRows(properties: Record<string, unknown> | null | undefined): Array<{ label: string; value: string }> {
  if (!properties) return [];
  const rows: Array<{ label: string; value: string }> = [];
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'userProperties') {
      const pairs: Array<[string, unknown]> = Array.isArray(value)
        ? (value as unknown[]).map((p) => (Array.isArray(p) ? [String(p[0]), p[1]] : ['', p]))
        : value && typeof value === 'object'
          ? Object.entries(value as Record<string, unknown>)
          : [];
      for (const [k, v] of pairs) rows.push({ label: `User property: ${k}`, value: typeof v === 'string' ? v : JSON.stringify(v) });
      continue;
    }
    let text = typeof value === 'string' ? value : JSON.stringify(value);
    if (key === 'payloadFormatIndicator') text = value === 1 || value === true ? '1 (UTF-8 text)' : '0 (bytes)';
    rows.push({ label: PROPERTY_LABELS[key] ?? key, value: text });
  }
  return rows;
}
