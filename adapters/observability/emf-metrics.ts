import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

import { METRICS_NAMESPACE } from '../../core/observability/metrics.ts';
import type { DimensionedMetric, MetricsRecorder, PlainMetric } from '../../core/observability/recorder.ts';

/** A MetricsRecorder whose values are written when the invocation ends. */
export interface FlushableMetrics extends MetricsRecorder {
  /** Writes what was added since the last flush (nothing when nothing was) and starts over. */
  flush(): void;
}

type Spec = PlainMetric | DimensionedMetric;

/**
 * kubeguard's metrics as CloudWatch embedded metric format (EMF) lines on standard output, through
 * Powertools Metrics: namespace METRICS_NAMESPACE, default dimension `service` = the function's
 * service name. Values are summed per metric and dimension value during the invocation, so a batch
 * of 500 detections of one rule is one data point of 500, not 500 lines. A metric with its own
 * dimension (Rule, Action, Cluster) is written as one EMF line per dimension value — EMF applies a
 * line's dimensions to every metric on it.
 */
export function createEmfMetrics(service: string): FlushableMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  const sums = new Map<string, { spec: Spec; dimension: string | undefined; value: number }>();
  return {
    add(metric: Spec, value: number, dimension?: string) {
      const key = `${metric.name}\u0000${dimension ?? ''}`;
      const sum = sums.get(key);
      if (sum === undefined) sums.set(key, { spec: metric, dimension, value });
      else sum.value += value;
    },
    flush() {
      if (sums.size === 0) return;
      let plain = false;
      for (const { spec, dimension, value } of sums.values()) {
        const unit = spec.unit as Unit;
        if ('dimension' in spec && dimension !== undefined) {
          const single = metrics.singleMetric();
          single.addDimension(spec.dimension, dimension);
          single.addMetric(spec.name, unit, value);
        } else {
          metrics.addMetric(spec.name, unit, value);
          plain = true;
        }
      }
      sums.clear();
      if (plain) metrics.publishStoredMetrics();
    },
  };
}
