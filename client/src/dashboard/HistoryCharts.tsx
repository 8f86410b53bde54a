import { useQuery } from '@apollo/client/react';
import type { TaskHistoryQuery as TaskHistoryData } from '../graphql/generated/graphql';
import { TaskHistoryQuery } from '../graphql/operations';
import { useRefetchSoon } from './use-refetch-soon';

type Minute = TaskHistoryData['taskHistory'][number];

/** The backlog is sampled once a minute; what ends is also read again soon after a task ends. */
const REFRESH_MS = 15_000;
const AFTER_AN_END_MS = 1_500;

// The drawing's own units (the SVG scales to its box).
const WIDTH = 420;
const HEIGHT = 140;
const LEFT = 28; // room for the axis labels
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 20;
const plotWidth = WIDTH - LEFT - RIGHT;
const plotHeight = HEIGHT - TOP - BOTTOM;

/** A round top for an axis of counts (1, 2, 5, 10, 20, 50...), at least `value` and at least 4. */
export function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value)!;
  return step * power;
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The y of a count on an axis that tops at `max`. */
const yOf = (count: number, max: number) => TOP + plotHeight - (count / max) * plotHeight;

/** Grid lines and labels at 0, half and the top; minute labels every quarter hour. */
function Axes({ max, minutes }: { max: number; minutes: readonly Minute[] }) {
  const slot = plotWidth / minutes.length;
  return (
    <g className="axes" aria-hidden="true">
      {[0, max / 2, max].map((tick) => (
        <g key={tick}>
          <line x1={LEFT} x2={WIDTH - RIGHT} y1={yOf(tick, max)} y2={yOf(tick, max)} className="grid" />
          <text x={LEFT - 4} y={yOf(tick, max) + 4} textAnchor="end">
            {tick}
          </text>
        </g>
      ))}
      {minutes.map((minute, i) => {
        const last = i === minutes.length - 1;
        if ((minutes.length - 1 - i) % 15 !== 0) return null;
        // The last label ends at the edge rather than running past it.
        return (
          <text
            key={minute.at}
            x={last ? WIDTH - RIGHT : LEFT + slot * (i + 0.5)}
            y={HEIGHT - 5}
            textAnchor={last ? 'end' : 'middle'}
          >
            {clock(minute.at)}
          </text>
        );
      })}
    </g>
  );
}

/** Tasks completed (below) and failed (stacked above) in each minute, one bar a minute. */
function EndsChart({ minutes }: { minutes: readonly Minute[] }) {
  const max = niceMax(Math.max(...minutes.map((minute) => minute.completed + minute.failed)));
  const slot = plotWidth / minutes.length;
  const completed = minutes.reduce((sum, minute) => sum + minute.completed, 0);
  const failed = minutes.reduce((sum, minute) => sum + minute.failed, 0);
  const summary = `${completed} completed and ${failed} failed in the last ${minutes.length} minutes`;
  return (
    <figure className="chart" data-chart="ends">
      <figcaption>
        <span>Tasks ended per minute</span>
        <span className="legend">
          <span className="swatch completed" /> completed <span className="swatch failed" /> failed
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <Axes max={max} minutes={minutes} />
        {minutes.map((minute, i) => {
          const x = LEFT + slot * i + slot * 0.15;
          const width = slot * 0.7;
          const completedTop = yOf(minute.completed, max);
          const failedTop = yOf(minute.completed + minute.failed, max);
          return (
            <g key={minute.at} data-minute={minute.at} data-completed={minute.completed} data-failed={minute.failed}>
              <title>{`${clock(minute.at)}: ${minute.completed} completed, ${minute.failed} failed`}</title>
              {/* The whole slot, so that the title shows on hover over an empty minute too. */}
              <rect x={LEFT + slot * i} y={TOP} width={slot} height={plotHeight} className="hover-target" />
              {minute.completed > 0 && (
                <rect x={x} y={completedTop} width={width} height={yOf(0, max) - completedTop} className="completed" />
              )}
              {minute.failed > 0 && (
                <rect x={x} y={failedTop} width={width} height={completedTop - failedTop} className="failed" />
              )}
            </g>
          );
        })}
      </svg>
      <p className="chart-summary">{summary}</p>
    </figure>
  );
}

/** The backlog as each minute began: a line, broken where nobody sampled it. */
function BacklogChart({ minutes }: { minutes: readonly Minute[] }) {
  const max = niceMax(Math.max(0, ...minutes.map((minute) => minute.backlog ?? 0)));
  const slot = plotWidth / minutes.length;
  const xOf = (i: number) => LEFT + slot * (i + 0.5);
  // Runs of sampled minutes, each drawn as one line.
  const runs: { i: number; backlog: number }[][] = [];
  minutes.forEach((minute, i) => {
    if (minute.backlog === null) return;
    const run = runs.at(-1);
    if (run && run.at(-1)!.i === i - 1) run.push({ i, backlog: minute.backlog });
    else runs.push([{ i, backlog: minute.backlog }]);
  });
  const latest = [...minutes].reverse().find((minute) => minute.backlog !== null);
  const summary = latest
    ? `Backlog: ${latest.backlog} waiting at ${clock(latest.at)}, at most ${Math.max(...minutes.map((minute) => minute.backlog ?? 0))} in the last ${minutes.length} minutes`
    : 'Backlog: not sampled yet (the API samples it as each minute begins)';
  return (
    <figure className="chart" data-chart="backlog">
      <figcaption>
        <span>Backlog (tasks waiting to run)</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <Axes max={max} minutes={minutes} />
        {runs.map((run) => (
          <g key={run[0]!.i}>
            <polygon
              className="backlog-area"
              points={[
                `${xOf(run[0]!.i)},${yOf(0, max)}`,
                ...run.map(({ i, backlog }) => `${xOf(i)},${yOf(backlog, max)}`),
                `${xOf(run.at(-1)!.i)},${yOf(0, max)}`,
              ].join(' ')}
            />
            <polyline
              className="backlog-line"
              points={run.map(({ i, backlog }) => `${xOf(i)},${yOf(backlog, max)}`).join(' ')}
            />
          </g>
        ))}
        {minutes.map((minute, i) =>
          minute.backlog === null ? null : (
            <circle
              key={minute.at}
              cx={xOf(i)}
              cy={yOf(minute.backlog, max)}
              r={3}
              className="backlog-point"
              data-minute={minute.at}
              data-backlog={minute.backlog}
            >
              <title>{`${clock(minute.at)}: ${minute.backlog} waiting`}</title>
            </circle>
          ),
        )}
      </svg>
      <p className="chart-summary">{summary}</p>
    </figure>
  );
}

/**
 * The last hour of the service: tasks completed and failed per minute, and the backlog. `ends`
 * grows by one whenever the page sees a task end, which reads the history again shortly after;
 * `paused` stops the reads on a timer (while the service waits for a token).
 */
export function HistoryCharts({ ends, paused }: { ends: number; paused: boolean }) {
  const { data, error, refetch } = useQuery(TaskHistoryQuery, {
    variables: { minutes: 60 },
    pollInterval: paused ? 0 : REFRESH_MS,
  });
  useRefetchSoon(ends, refetch, AFTER_AN_END_MS);

  const minutes = data?.taskHistory ?? [];
  return (
    <section aria-labelledby="history-title" className="card history">
      <h2 id="history-title">Last hour</h2>
      {error && <p className="field-error">Could not load the history: {error.message}</p>}
      {minutes.length > 0 && (
        <div className="charts">
          <EndsChart minutes={minutes} />
          <BacklogChart minutes={minutes} />
        </div>
      )}
    </section>
  );
}
