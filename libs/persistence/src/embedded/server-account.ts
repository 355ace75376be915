import { readFileSync, statSync } from 'node:fs';

/** The account the embedded PostgreSQL server runs as, when it cannot be this process's own. */
export interface ServerAccount {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. A root process runs the server as the owner of an existing
 * cluster (a data directory made by a plain user, or a volume handed to a container's user), and
 * a new cluster as `nobody`: an account every system has and that owns nothing else. Undefined
 * when this process is not root and the server simply runs as it.
 */
export function serverAccount(clusterDir: string): ServerAccount | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const owner = statSync(clusterDir);
    if (owner.uid !== 0) return { uid: owner.uid, gid: owner.gid };
  } catch {
    // No cluster yet.
  }
  return nobody();
}

function nobody(): ServerAccount {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'nobody') return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // No passwd file (a scratch container): the conventional ids.
  }
  return { uid: 65534, gid: 65534 };
}
