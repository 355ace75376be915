import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export interface ChartSeries {
  label: string;
  /** A CSS colour */
  color: string;
  values: readonly number[];
}

const W = 600;
const H = 140;

/** A round upper bound for an axis: 0.8 -> 1, 7 -> 10, 130 -> 200. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const scaled = value / power;
  const step = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
  return step * power;
}

/** The SVG polyline points of values at times, over the window ending at the last time. */
export function polyline(times: readonly number[], values: readonly number[], windowMs: number, max: number): string {
  if (times.length === 0) return '';
  const end = times[times.length - 1]!;
  const start = end - windowMs;
  let out = '';
  for (let i = 0; i < times.length; i++) {
    const x = ((times[i]! - start) / windowMs) * W;
    const y = H - (Math.min(values[i] ?? 0, max) / max) * H;
    out += `${x.toFixed(1)},${y.toFixed(1)} `;
  }
  return out.trimEnd();
}

/**
 * A time-series chart in plain SVG: one line per series over a fixed window (15 minutes), the latest
 * values in its legend, a round maximum on its axis.
 */
@Component({
  selector: 'app-line-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure>
      <figcaption>
        <span class="title">{{ title() }}</span>
        <span class="legend">
          @for (s of series(); track s.label) {
            <span class="item"><span class="swatch" [style.background]="s.color"></span>{{ s.label }} <b>{{ format(last(s.values)) }}</b></span>
          }
        </span>
      </figcaption>
      <div class="plot">
        <span class="max">{{ format(max()) }}</span>
        <svg [attr.viewBox]="'0 0 ' + width + ' ' + height" preserveAspectRatio="none" role="img" [attr.aria-label]="summary()">
          <line x1="0" [attr.y1]="height / 2" [attr.x2]="width" [attr.y2]="height / 2" class="grid" />
          <line x1="0" [attr.y1]="height - 0.5" [attr.x2]="width" [attr.y2]="height - 0.5" class="axis" />
          @for (line of lines(); track line.label) {
            <polyline [attr.points]="line.points" [style.stroke]="line.color" fill="none" vector-effect="non-scaling-stroke" />
          }
        </svg>
        <span class="span">{{ windowLabel() }}</span>
      </div>
    </figure>
  `,
  styles: `
    figure { margin: 0; }
    figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px; margin-bottom: 8px; font: var(--mat-sys-title-small); }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); }
    .item { display: inline-flex; align-items: center; gap: 4px; }
    .item b { color: var(--mat-sys-on-surface); font-variant-numeric: tabular-nums; }
    .swatch { width: 10px; height: 10px; border-radius: 2px; }
    .plot { position: relative; }
    svg { display: block; width: 100%; height: 120px; }
    polyline { stroke-width: 2; stroke-linejoin: round; }
    .grid { stroke: var(--mat-sys-outline-variant); stroke-dasharray: 4 4; vector-effect: non-scaling-stroke; }
    .axis { stroke: var(--mat-sys-outline); vector-effect: non-scaling-stroke; }
    .max, .span { position: absolute; font: var(--mat-sys-label-small); color: var(--mat-sys-on-surface-variant); }
    .max { top: 0; left: 2px; }
    .span { bottom: -18px; left: 0; }
  `,
})
export class LineChart {
  readonly title = input.required<string>();
  readonly times = input.required<readonly number[]>();
  readonly series = input.required<readonly ChartSeries[]>();
  readonly windowMs = input(15 * 60 * 1000);
  /** How values read: e.g. "/s" after a rate. */
  readonly unit = input('');

  protected readonly width = W;
  protected readonly height = H;
  protected readonly max = computed(() => niceMax(Math.max(0, ...this.series().flatMap((s) => s.values))));
  protected readonly lines = computed(() =>
    this.series().map((s) => ({ label: s.label, color: s.color, points: polyline(this.times(), s.values, this.windowMs(), this.max()) })),
  );
  protected readonly windowLabel = computed(() => `last ${Math.round(this.windowMs() / 60000)} min`);
  protected readonly summary = computed(
    () => `${this.title()}, ${this.windowLabel()}: ` + this.series().map((s) => `${s.label} now ${this.format(this.last(s.values))}`).join(', '),
  );

  protected last(values: readonly number[]): number {
    return values.length > 0 ? values[values.length - 1]! : 0;
  }

  protected format(value: number): string {
    const text = value >= 100 || Number.isInteger(value) ? Math.round(value).toLocaleString('en') : value.toFixed(1);
    return text + this.unit();
  }
}
