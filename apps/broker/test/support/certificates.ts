import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and its key, as files and as text. */
export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * Certificates made for one test run with the openssl command: certificate authorities, and leaf
 * certificates they sign for servers and clients, with the subject and Subject Alternative Names asked.
 */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'nestmq-pki-'));
  private serial = 1;

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  private issued(name: string): Issued {
    const certFile = join(this.dir, `${name}.pem`);
    const keyFile = join(this.dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  /** A self-signed CA. */
  authority(name: string): Issued {
    this.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', `${name}.key`, '-out', `${name}.pem`);
    return this.issued(name);
  }

  /**
   * A leaf certificate signed by `ca`: `subject` as openssl writes it (`/CN=device-1/O=Plant`), `san`
   * the subjectAltName extension (`DNS:a.example,email:b@example`), for a server or a client.
   */
  leaf(ca: Issued, name: string, subject: string, san: string | undefined, usage: 'serverAuth' | 'clientAuth'): Issued {
    this.openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const extensions = ['basicConstraints=CA:FALSE', `extendedKeyUsage=${usage}`, ...(san ? [`subjectAltName=${san}`] : [])];
    writeFileSync(join(this.dir, `${name}.ext`), `${extensions.join('\n')}\n`);
    this.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(this.serial++), '-days', '2',
      '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    return this.issued(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
