import { readFileSync } from 'node:fs';
import { MqttClient } from 'mqtt';
import { connectClient } from '../support/clients';

/**
 * The broker's own counters, read from the $SYS topics it publishes every SYS_INTERVAL seconds: how many
 * clients it believes are connected, and how many internal errors it has caught.
 */
export class SysWatcher {
  readonly values = new Map<string, { value: string; at: number }>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.values.set(topic, { value: payload.toString(), at: Date.now() }));
  }

  static async start(url: string): Promise<SysWatcher> {
    const client = await connectClient(url, { clientId: `fuzz-sys-watcher-${process.pid}` });
    const watcher = new SysWatcher(client);
    await client.subscribeAsync(['$SYS/broker/clients/connected', '$SYS/broker/errors/internal', '$SYS/broker/errors/protocol'], { qos: 0 });
    return watcher;
  }

  /** The value published after `since` (epoch ms), as a number; undefined when none has come yet. */
  numberAfter(topic: string, since: number): number | undefined {
    const entry = this.values.get(topic);
    return entry && entry.at > since ? Number(entry.value) : undefined;
  }

  latest(topic: string): number | undefined {
    const entry = this.values.get(topic);
    return entry ? Number(entry.value) : undefined;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}

/** Samples a process's resident memory, for the run summary: floods should not make it balloon. */
export class MemorySampler {
  peakMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    this.timer = setInterval(() => {
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (match) this.peakMb = Math.max(this.peakMb, Math.round(Number(match[1]) / 1024));
      } catch {
        // Not Linux, or the process is gone: the summary goes without it.
      }
    }, 250);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface OutputFindings {
  /** Stack traces of exceptions that reached the process (or a fatal V8 error): a crash. */
  uncaught: string[];
  /** Errors the broker caught at a connection's boundary and logged with their stack. */
  internal: string[];
  /** Any other stack trace in the output. */
  otherTraces: string[];
}

/**
 * Reads the broker's stdout+stderr for exception traces. A trace is a run of `    at` frames; what
 * precedes it tells where it came from: the internal-error log names itself, a line of the broker's
 * logger (LOG_FORMAT=pretty) starts with its time and level, and an exception that reached the process
 * is printed bare (source line, caret, error).
 */
const LOGGED = /^\[\d\d:\d\d:\d\d\.\d{3}\] (FATAL|ERROR|WARN|INFO|DEBUG|TRACE): /m;

export function scanOutput(text: string): OutputFindings {
  const findings: OutputFindings = { uncaught: [], internal: [], otherTraces: [] };
  const lines = text.split('\n');
  const isFrame = (line: string | undefined): boolean => line !== undefined && /^\s+at \S/.test(line);
  let previousEnd = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/FATAL ERROR|JavaScript heap out of memory/.test(lines[i])) {
      findings.uncaught.push(excerpt(lines, i, i + 12));
      continue;
    }
    if (!isFrame(lines[i])) continue;
    let end = i;
    while (isFrame(lines[end + 1])) end++;
    const from = Math.max(previousEnd, i - 8);
    const context = lines.slice(from, i).join('\n');
    const trace = excerpt(lines, from, end);
    if (/internal error on the connection/.test(context)) findings.internal.push(trace);
    else if (LOGGED.test(context) && !/^\s*\^+\s*$/m.test(context)) findings.otherTraces.push(trace);
    else findings.uncaught.push(trace);
    previousEnd = end + 1;
    i = end;
  }
  return findings;
}

function excerpt(lines: string[], from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i <= to && i < lines.length; i++) {
    if (out.length === 30) {
      out.push(`    … ${to - i + 1} more lines`);
      break;
    }
    out.push(lines[i].length > 300 ? `${lines[i].slice(0, 300)}…` : lines[i]);
  }
  return out.join('\n');
}
