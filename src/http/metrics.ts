// Prometheus text-format metrics, kept in process memory. Small on purpose: counters and
// histograms with labels, rendered on GET /metrics.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function labelKey(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

class Counter {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Record<string, string> = {}, by = 1) {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (!this.values.size) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

class Histogram {
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string) {}
  observe(labels: Record<string, string>, seconds: number) {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      BUCKETS.forEach((b, i) => lines.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly requests = new Counter('mymedic_http_requests_total', 'HTTP requests by method, route and status');
  readonly duration = new Histogram('mymedic_http_request_duration_seconds', 'HTTP request latency by method and route');
  readonly eventsAppended = new Counter('mymedic_events_appended_total', 'Events appended to the log, by type');
  readonly commandFailures = new Counter('mymedic_command_failures_total', 'Requests refused with a client error, by error code');
  readonly loginFailures = new Counter('mymedic_login_failures_total', 'Failed sign-in attempts');
  readonly syncEventsReceived = new Counter('mymedic_sync_events_received_total', 'At a hub: branch events appended from pushes, by branch code');
  private gauges: (() => string)[] = [];

  gauge(name: string, help: string, read: () => number) {
    this.gauges.push(() => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${read()}`);
  }

  /** A gauge with one sample per label set (e.g. per branch at a hub). */
  labelledGauge(name: string, help: string, read: () => { labels: Record<string, string>; value: number }[]) {
    this.gauges.push(() => {
      const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
      for (const s of read()) lines.push(`${name}{${labelKey(s.labels)}} ${s.value}`);
      return lines.join('\n');
    });
  }

  render(): string {
    return (
      [this.requests, this.duration, this.eventsAppended, this.commandFailures, this.loginFailures, this.syncEventsReceived]
        .map((m) => m.render())
        .concat(this.gauges.map((g) => g()))
        .join('\n') + '\n'
    );
  }
}
