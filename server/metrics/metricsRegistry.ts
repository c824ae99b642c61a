// A small metrics registry: counters, gauges and histograms with labels, plus families read from a
// callback at scrape time. Every family is bounded in its number of label sets, so no input (a
// stack of many services, a flood of events) can grow the host's memory or a scrape without end.
import { checkLabelName, checkMetricName, formatLabels, formatValue, headerLines, type Labels, type MetricType } from './exposition';

/** Label sets per family; past it new sets are dropped and counted in DROPPED_METRIC. */
export const MAX_SERIES_PER_FAMILY = 2000;
export const DROPPED_METRIC = 'manito_metrics_series_dropped_total';
/** Probe latencies: 1 ms to 10 s, in seconds as Prometheus base units want. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Family {
  readonly name: string;
  render(out: string[]): void;
}

abstract class LabelledFamily<S> implements Family {
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: MetricType,
    protected readonly labelNames: readonly string[],
    private readonly onDrop: () => void,
  ) {
    checkMetricName(name);
    for (const label of labelNames) checkLabelName(label);
  }

  protected abstract fresh(): S;
  protected abstract lines(out: string[], values: string[], state: S): void;

  /** The series for `labels`, created on first use; undefined (and counted) past the bound. */
  protected get(labels: Labels): S | undefined {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      if (this.series.size >= MAX_SERIES_PER_FAMILY) {
        this.onDrop();
        return undefined;
      }
      entry = { values, state: this.fresh() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  render(out: string[]): void {
    if (this.series.size === 0) return;
    out.push(...headerLines(this.name, this.help, this.type));
    for (const { values, state } of this.series.values()) this.lines(out, values, state);
  }
}

export class Counter extends LabelledFamily<{ value: number }> {
  protected fresh() { return { value: 0 }; }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError(`A counter only goes up by a finite amount, got ${by}`);
    const s = this.get(labels);
    if (s) s.value += by;
  }

  value(labels: Labels = {}): number {
    return this.series.get(this.labelNames.map((n) => labels[n] ?? '').join('\u0000'))?.state.value ?? 0;
  }

  protected lines(out: string[], values: string[], s: { value: number }): void {
    out.push(`${this.name}${formatLabels(this.labelNames, values)} ${formatValue(s.value)}`);
  }
}

interface HistogramState { counts: number[]; sum: number; count: number }

export class Histogram extends LabelledFamily<HistogramState> {
  constructor(name: string, help: string, labelNames: readonly string[], onDrop: () => void, private readonly buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames, onDrop);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new RangeError(`Histogram ${name}: buckets must be finite and increasing`);
    }
  }

  protected fresh(): HistogramState { return { counts: this.buckets.map(() => 0), sum: 0, count: 0 }; }

  observe(labels: Labels, value: number): void {
    if (Number.isNaN(value)) return;
    const s = this.get(labels);
    if (!s) return;
    // Each observation lands in its smallest bucket; the exposition's buckets are cumulative.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  protected lines(out: string[], values: string[], s: HistogramState): void {
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += s.counts[i]!;
      out.push(`${this.name}_bucket${formatLabels(this.labelNames, values, ['le', formatValue(bound)])} ${cumulative}`);
    });
    out.push(`${this.name}_bucket${formatLabels(this.labelNames, values, ['le', '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${formatLabels(this.labelNames, values)} ${formatValue(s.sum)}`);
    out.push(`${this.name}_count${formatLabels(this.labelNames, values)} ${s.count}`);
  }
}

/** One sample of a family read at scrape time. */
export interface Sample { labels?: Labels; value: number }

/** A gauge (or counter) whose samples are read from the process or the snapshot at scrape time. */
class SampledFamily implements Family {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: MetricType,
    private readonly read: () => readonly Sample[] | number | undefined,
    private readonly onDrop: () => void,
  ) {
    checkMetricName(name);
  }

  render(out: string[]): void {
    const read = this.read();
    if (read === undefined) return;
    const samples = typeof read === 'number' ? [{ value: read }] : read;
    if (samples.length === 0) return;
    out.push(...headerLines(this.name, this.help, this.type));
    for (const [i, sample] of samples.entries()) {
      if (i >= MAX_SERIES_PER_FAMILY) {
        this.onDrop();
        break;
      }
      const names = Object.keys(sample.labels ?? {});
      for (const label of names) checkLabelName(label);
      out.push(`${this.name}${formatLabels(names, names.map((n) => sample.labels![n]!))} ${formatValue(sample.value)}`);
    }
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private dropped = 0;
  private readonly onDrop = () => { this.dropped++; };

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, 'counter', labelNames, this.onDrop));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.add(new Histogram(name, help, labelNames, this.onDrop, buckets));
  }

  /** `read` returns one number, samples with labels, or undefined to leave the family out of this scrape. */
  sampled(name: string, help: string, type: 'counter' | 'gauge', read: () => readonly Sample[] | number | undefined): void {
    this.add(new SampledFamily(name, help, type, read, this.onDrop));
  }

  /** The whole exposition: every family with samples, then the count of dropped label sets. */
  render(): string {
    const out: string[] = [];
    for (const family of this.families.values()) family.render(out);
    if (this.dropped > 0) {
      out.push(...headerLines(DROPPED_METRIC, 'Label sets not recorded because a family reached its bound', 'counter'));
      out.push(`${DROPPED_METRIC} ${this.dropped}`);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  private add<F extends Family>(family: F): F {
    if (this.families.has(family.name)) throw new TypeError(`Metric ${family.name} is registered twice`);
    this.families.set(family.name, family);
    return family;
  }
}
