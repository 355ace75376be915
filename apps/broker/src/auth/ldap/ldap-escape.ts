/**
 * A user name placed in a DN or a search filter is text from the network: escaped, it can only ever be
 * one attribute value, never more RDNs (`alice,ou=admins`) or more filter terms (`*`, `)(uid=*`).
 */

/** RFC 4514 §2.4: a value inside a DN's RDN (`uid=<value>,ou=people,...`). */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(c)) out += `\\${c}`;
    else if ((c === ' ' || c === '#') && i === 0) out += `\\${c}`;
    else if (c === ' ' && i === value.length - 1) out += '\\ ';
    else out += c;
  }
  return out;
}

/**
 * RFC 4515 §3: an assertion value inside a filter (`(uid=<value>)`). Only the five characters the RFC
 * names are hex-escaped; other characters stay as they are (the filter is sent as UTF-8), since the
 * filter parser reads each `\xx` as one character, not as one byte of UTF-8.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A template with `%u` (and `%d`) replaced by already-escaped values; `%%` is a literal `%`. */
export function fillTemplate(template: string, values: { u: string; d?: string }): string {
  return template.replace(/%([ud%])/g, (_, k: string) => (k === '%' ? '%' : k === 'u' ? values.u : (values.d ?? '')));
}

/**
 * A DN in a form two spellings of the same name share, so group DNs from the directory compare with
 * those of LDAP_GROUP_ROLES: attribute types and values lower-cased (group names match case-insensitively
 * in every common schema), spaces around separators dropped, escapes read (`\,` and `\2c` are the same
 * comma). Undefined when the text is not a DN.
 */
export function normalizeDn(dn: string): string | undefined {
  const rdns: string[] = [];
  let attrs: string[] = [];
  let i = 0;
  const n = dn.length;
  const skipSpaces = (): void => {
    while (i < n && dn[i] === ' ') i++;
  };
  skipSpaces();
  if (i === n) return undefined;
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < n && /[A-Za-z0-9.-]/.test(dn[i])) i++;
    const type = dn.slice(typeStart, i).toLowerCase();
    skipSpaces();
    if (type === '' || dn[i] !== '=') return undefined;
    i++;
    skipSpaces();
    let value = '';
    let trailingSpaces = 0;
    while (i < n && dn[i] !== ',' && dn[i] !== '+') {
      const c = dn[i];
      if (c === '\\') {
        const hex = dn.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
          // A run of hex pairs is UTF-8.
          const bytes: number[] = [];
          while (dn[i] === '\\' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 1, i + 3))) {
            bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
            i += 3;
          }
          value += Buffer.from(bytes).toString('utf8');
        } else if (i + 1 < n) {
          value += dn[i + 1];
          i += 2;
        } else {
          return undefined;
        }
        trailingSpaces = 0;
        continue;
      }
      if (c === '"' || c === ';' || c === '<' || c === '>' || c === '=') return undefined;
      value += c;
      trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
      i++;
    }
    if (trailingSpaces > 0) value = value.slice(0, -trailingSpaces);
    if (value === '') return undefined;
    attrs.push(`${type}=${escapeDnValue(value.toLowerCase())}`);
    if (i < n && dn[i] === '+') {
      i++;
      continue;
    }
    // A multi-valued RDN's order does not matter.
    rdns.push(attrs.sort().join('+'));
    attrs = [];
    if (i === n) break;
    i++; // ','
  }
  return rdns.join(',');
}
