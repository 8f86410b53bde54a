/** One sample line: a metric name, its labels and its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  type: string;
  help: string;
  samples: Sample[];
}

export interface Exposition {
  families: Map<string, MetricFamily>;
  /** The value of the sample with exactly these labels; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The values of a family's samples by one label, such as `{ sleep_task: 2 }` for `kind`. */
  by(name: string, label: string): Record<string, number>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = String.raw`"(?:[^"\\\n]|\\[\\"n])*"`;
/** What Go's ParseFloat reads, as the format says: NaN and Inf in any case (prom-client writes `Nan`). */
const VALUE = String.raw`[+-]?(?:inf(?:inity)?|nan|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)`;
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
  'i', // for VALUE: names and labels are read by character classes of both cases anyway
);
const LABEL_PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

function numberOf(text: string): number {
  if (/^[+-]?inf/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
function familyOf(name: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const own = families.get(name);
  if (own) return own;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name);
  const family = base ? families.get(base[1]!) : undefined;
  if (!family || !base) return undefined;
  const allowed =
    family.type === 'histogram' ? ['bucket', 'sum', 'count'] : family.type === 'summary' ? ['sum', 'count'] : [];
  return allowed.includes(base[2]!) ? family : undefined;
}

/**
 * Parses Prometheus' text exposition format (version 0.0.4) strictly: every line a comment, a
 * HELP or TYPE line, or a sample of a family typed before it; a histogram's buckets cumulative,
 * the `+Inf` one equal to its count. Throws naming the first line that is not.
 */
export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const families = new Map<string, MetricFamily>();
  const helps = new Map<string, string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string) => {
      throw new Error(`line ${index + 1} ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, keyword, name, rest] = meta as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) fail('names no valid metric');
      if (keyword === 'HELP') {
        if (helps.has(name)) fail('is a second HELP');
        helps.set(name, rest);
        return;
      }
      if (!TYPES.has(rest)) fail('has an unknown type');
      if (families.has(name)) fail('is a second TYPE');
      families.set(name, { type: rest, help: '', samples: [] });
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE.exec(line);
    if (!match) return fail('is not a sample');
    const [, name, labelText = '', valueText] = match as unknown as [string, string, string | undefined, string];
    const family = familyOf(name, families);
    if (!family) fail('is a sample of no typed family');
    const labels: Record<string, string> = {};
    for (const [, label, quoted] of labelText.matchAll(LABEL_PAIR)) {
      if (label! in labels) fail('repeats a label');
      labels[label!] = unquote(quoted!);
    }
    family!.samples.push({ name, labels, value: numberOf(valueText) });
  });
  for (const [name, family] of families) {
    family.help = helps.get(name) ?? '';
    if (family.type === 'histogram') checkHistogram(name, family);
  }

  const samplesOf = (name: string) => {
    const family = familyOf(name, families);
    return family ? family.samples.filter((sample) => sample.name === name) : [];
  };
  return {
    families,
    value(name, labels = {}) {
      const wanted = JSON.stringify(Object.entries(labels).sort());
      return samplesOf(name).find((sample) => JSON.stringify(Object.entries(sample.labels).sort()) === wanted)?.value;
    },
    by(name, label) {
      return Object.fromEntries(samplesOf(name).map((sample) => [sample.labels[label], sample.value]));
    },
  };
}

function checkHistogram(name: string, family: MetricFamily): void {
  const withoutLe = (labels: Record<string, string>) =>
    JSON.stringify(Object.entries(labels).filter(([label]) => label !== 'le'));
  const series = new Set(family.samples.map((sample) => withoutLe(sample.labels)));
  for (const key of series) {
    const ofSeries = family.samples.filter((sample) => withoutLe(sample.labels) === key);
    const buckets = ofSeries.filter((sample) => sample.name === `${name}_bucket`);
    const count = ofSeries.find((sample) => sample.name === `${name}_count`)?.value;
    const bounds = buckets.map((bucket) => numberOf(bucket.labels.le ?? 'NaN'));
    if (bounds.some((bound, i) => Number.isNaN(bound) || (i > 0 && bound <= bounds[i - 1]!))) {
      throw new Error(`${name}: bucket bounds are not increasing`);
    }
    if (buckets.some((bucket, i) => i > 0 && bucket.value < buckets[i - 1]!.value)) {
      throw new Error(`${name}: buckets are not cumulative`);
    }
    if (bounds.at(-1) !== Infinity || buckets.at(-1)!.value !== count) {
      throw new Error(`${name}: the +Inf bucket is not the count`);
    }
  }
}
