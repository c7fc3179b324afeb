import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

export interface LineChartProps {
  /** What the chart shows, in words: the canvas's accessible name (the table next to it has the numbers). */
  label: string;
  labels?: (string | number)[];
  datasets: ChartDataset<'line', (number | null | { x: number; y: number })[]>[];
  xTitle?: string;
  yTitle?: string;
  yMax?: number;
  /** A linear x axis (points carry x) instead of categories. */
  linearX?: boolean;
  testId?: string;
}

/** One Chart.js line chart; the instance is created once and updated in place on new data (no animation). */
export function LineChart(props: LineChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', (number | null | { x: number; y: number })[]> | undefined>(undefined);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: true } },
        scales: {
          x: { type: props.linearX ? 'linear' : 'category', title: { display: !!props.xTitle, text: props.xTitle ?? '' } },
          y: { beginAtZero: true, ...(props.yMax !== undefined ? { max: props.yMax } : {}), title: { display: !!props.yTitle, text: props.yTitle ?? '' } },
        },
      },
    });
    return () => chart.current?.destroy();
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = props.labels ?? [];
    c.data.datasets = props.datasets;
    c.update('none');
  });

  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={props.label} data-testid={props.testId} />
    </div>
  );
}
