import { ConnectionOptions, ConnectionReport, FuzzConnection, FuzzTarget } from './fuzz-connection';
import { connectionSeed } from './random';

export interface CampaignOptions extends ConnectionOptions {
  seed: number;
  /** Connections in all; Infinity = until the duration is up. */
  connections: number;
  /** Connections open at once. */
  concurrency: number;
  /** No new connection starts after this long. */
  durationMs: number;
  /** Only these connection indexes (a replay of the ones that were open when something broke). */
  only?: readonly number[];
}

export interface CampaignResult {
  started: number;
  finished: number;
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
  byTransport: Record<string, number>;
  byVersion: Record<string, number>;
  endings: Record<string, number>;
  /** Connections where the broker sent what no broker may send. */
  violations: ConnectionReport[];
  elapsedMs: number;
  stoppedBecause?: string;
}

/**
 * Runs fuzz connections, `concurrency` at a time, until the count or the duration is reached or `stop` is
 * called. Connection i always gets the seed derived from (seed, i), so its bytes can be replayed alone.
 */
export class Campaign {
  private readonly live = new Map<number, FuzzConnection>();
  /** Every connection of the run, in start order, for the replay log. */
  readonly reports: ConnectionReport[] = [];
  private stopReason: string | undefined;
  /** When the run was stopped (epoch ms). */
  stoppedAt: number | undefined;
  readonly result: CampaignResult = {
    started: 0,
    finished: 0,
    framesSent: 0,
    bytesSent: 0,
    bytesReceived: 0,
    byTransport: {},
    byVersion: {},
    endings: {},
    violations: [],
    elapsedMs: 0,
  };

  constructor(
    private readonly target: FuzzTarget,
    private readonly options: CampaignOptions,
  ) {}

  async run(): Promise<CampaignResult> {
    const started = Date.now();
    const deadline = started + this.options.durationMs;
    const indexes = this.options.only;
    let next = 0;
    const total = indexes ? indexes.length : this.options.connections;
    const slot = async (): Promise<void> => {
      while (this.stopReason === undefined && next < total && Date.now() < deadline) {
        const index = indexes ? indexes[next++] : next++;
        const connection = new FuzzConnection(index, connectionSeed(this.options.seed, index), this.target, this.options);
        this.live.set(index, connection);
        this.reports.push(connection.report);
        this.result.started++;
        try {
          this.record(await connection.run());
        } finally {
          this.live.delete(index);
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, slot));
    this.result.elapsedMs = Date.now() - started;
    this.result.stoppedBecause = this.stopReason;
    return this.result;
  }

  /** Drops every open fuzz connection and starts no more. */
  stop(reason: string): void {
    this.stopReason ??= reason;
    this.stoppedAt ??= Date.now();
    for (const connection of this.live.values()) connection.abort();
  }

  /**
   * The connections that were open at some point in [from, to]: the suspects when the broker fails. A
   * broker that falls behind handles a packet long after it was sent, so `from` should reach back to
   * when it was last seen keeping up.
   */
  openBetween(from: number, to: number): ConnectionReport[] {
    return this.reports.filter((r) => r.startedAt <= to && (r.endedAt === 0 || r.endedAt >= from));
  }

  /** The last frames each open connection sent: what the broker was busy with at a moment. */
  snapshot(framesEach = 2): string[] {
    return [...this.live.values()].map(({ report: r }) => `#${r.index} ${r.transport} v${r.version}: ${r.frames.slice(-framesEach).join(' | ')}`);
  }

  private record(report: ConnectionReport): void {
    const r = this.result;
    r.finished++;
    r.framesSent += report.framesSent;
    r.bytesSent += report.bytesSent;
    r.bytesReceived += report.bytesReceived;
    r.byTransport[report.transport] = (r.byTransport[report.transport] ?? 0) + 1;
    r.byVersion[report.version] = (r.byVersion[report.version] ?? 0) + 1;
    const ending = report.ending.replace(/\d+/g, 'N').replace(/: .*/, '');
    r.endings[ending] = (r.endings[ending] ?? 0) + 1;
    if (report.violations.length > 0) r.violations.push(report);
  }
}

/** A connection's report as text, for a failure message. */
export function formatReport(report: ConnectionReport): string {
  const head =
    `connection #${report.index} (seed ${report.seed}) ${report.transport} level ${report.version}: ` +
    `${report.framesSent} frames, ${report.bytesSent} B sent, ${report.bytesReceived} B received, ${report.ending}` +
    `${report.endedAt ? '' : ' [still open]'}`;
  const lines = [head, ...report.frames.map((label) => `    ${label.length > 240 ? `${label.slice(0, 240)}…` : label}`)];
  for (const violation of report.violations) lines.push(`    VIOLATION: ${violation}`);
  return lines.join('\n');
}
