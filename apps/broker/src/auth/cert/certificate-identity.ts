import type { PeerCertificate, TLSSocket } from 'node:tls';

/** Which part of a client certificate names the user (TLS_IDENTITY). */
export const CERTIFICATE_IDENTITY_KINDS = ['cn', 'san-dns', 'san-email', 'san-uri'] as const;
export type CertificateIdentityKind = (typeof CERTIFICATE_IDENTITY_KINDS)[number];

/** The Subject Alternative Name type each kind reads, as Node spells it in `subjectaltname`. */
const SAN_TYPES: Record<Exclude<CertificateIdentityKind, 'cn'>, string> = {
  'san-dns': 'DNS',
  'san-email': 'email',
  'san-uri': 'URI',
};

/** What identity is read from: the parts of Node's peer certificate object this needs. */
export type CertificateNames = Pick<PeerCertificate, 'subject' | 'subjectaltname'>;

/**
 * The user name a client certificate gives, or undefined when it gives none. Only a certificate the TLS
 * handshake verified against TLS_CA_FILE counts (`socket.authorized`): with TLS_CLIENT_CERT=optional an
 * unverified one is let through the handshake, and must never name anyone.
 */
export function certificateIdentityOf(socket: TLSSocket, kind: CertificateIdentityKind): string | undefined {
  if (!socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  // Node answers an empty object when the client sent none.
  if (certificate === null || certificate.subject === undefined) return undefined;
  return identityOf(certificate, kind);
}

/**
 * `cn`: the subject's Common Name. `san-*`: the first Subject Alternative Name of that type, in the
 * certificate's order. A certificate with two Common Names is ambiguous and names nobody; so does a value
 * that cannot be an MQTT user name (empty, or holding U+0000 [MQTT-1.5.4-2]).
 */
export function identityOf(certificate: CertificateNames, kind: CertificateIdentityKind): string | undefined {
  let value: string | undefined;
  if (kind === 'cn') {
    const cn: unknown = (certificate.subject as unknown as Record<string, unknown> | undefined)?.CN;
    value = typeof cn === 'string' ? cn : undefined;
  } else {
    const type = SAN_TYPES[kind];
    value = subjectAltNames(certificate.subjectaltname ?? '').find((name) => name.type === type)?.value;
  }
  if (value === undefined || value === '' || value.includes('\0') || Buffer.byteLength(value) > 65535) return undefined;
  return value;
}

/**
 * Node's `subjectaltname` text: `DNS:a.example, email:b@example, URI:spiffe://c`, entries separated by
 * ", "; a value holding a comma, quote or other special character is written as a JSON string
 * (`DNS:"a, b"`), so a name can never pass for two.
 */
export function subjectAltNames(text: string): Array<{ type: string; value: string }> {
  const names: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      // A JSON string: up to the first quote not escaped.
      end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end++;
      try {
        value = JSON.parse(text.slice(colon + 1, end)) as string;
      } catch {
        return names;
      }
    } else {
      end = text.indexOf(', ', colon + 1);
      if (end < 0) end = text.length;
      value = text.slice(colon + 1, end);
    }
    names.push({ type, value });
    i = end;
    if (text.startsWith(', ', i)) i += 2;
  }
  return names;
}
