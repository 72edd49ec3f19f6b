import type { MetricsRecorder } from '../../core/observability/recorder.ts';

export interface RecordedMetric {
  name: string;
  value: number;
  /** The value of the metric's own dimension (Rule, Action, Cluster), when it has one. */
  dimension?: string;
}

/** A MetricsRecorder that keeps every value added, in order, for exact assertions. */
export class RecordingMetrics implements MetricsRecorder {
  readonly recorded: RecordedMetric[] = [];

  add(metric: { name: string }, value: number, dimension?: string): void {
    this.recorded.push({ name: metric.name, value, ...(dimension === undefined ? {} : { dimension }) });
  }

  /** Sums per metric and dimension value: `{ 'Detections|KD-001': 2, FindingsRecorded: 3 }`. */
  totals(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const { name, value, dimension } of this.recorded) {
      const key = dimension === undefined ? name : `${name}|${dimension}`;
      totals[key] = (totals[key] ?? 0) + value;
    }
    return totals;
  }
}
