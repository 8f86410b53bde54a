import { useState } from 'react';
import type { TaskOptionsInput } from '../graphql/generated/graphql';
import { Field } from './form-fields';

/** The options as typed: every field may be left empty. */
export interface TaskOptionValues {
  priority: string;
  delaySeconds: string;
  runAt: string;
  timeoutSeconds: string;
  idempotencyKey: string;
}

export const emptyOptions: TaskOptionValues = {
  priority: '',
  delaySeconds: '',
  runAt: '',
  timeoutSeconds: '',
  idempotencyKey: '',
};

/** The paths the server names the options' problems by. */
export const optionPaths = Object.keys(emptyOptions).map((name) => `options.${name}`);

const wholeNumbers = ['priority', 'delaySeconds', 'timeoutSeconds'] as const;

/**
 * The options argument of a create, or what is wrong with what was typed (by path, as the server
 * names it). Empty fields are left out; a start time is the browser's local time, sent with its zone.
 */
export function taskOptions(values: TaskOptionValues): {
  options: TaskOptionsInput | undefined;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const options: TaskOptionsInput = {};
  for (const name of wholeNumbers) {
    const text = values[name].trim();
    if (text === '') continue;
    if (/^-?\d+$/.test(text)) options[name] = Number(text);
    else errors[`options.${name}`] = 'Write a whole number';
  }
  if (values.runAt) {
    const at = new Date(values.runAt);
    if (Number.isNaN(at.getTime())) errors['options.runAt'] = 'Pick a date and time';
    else options.runAt = at.toISOString();
  }
  if (values.idempotencyKey !== '') options.idempotencyKey = values.idempotencyKey;
  return { options: Object.keys(options).length > 0 ? options : undefined, errors };
}

/** What the closed disclosure says is set: "priority 5, in 30 s". */
function summary(values: TaskOptionValues): string {
  const parts = [
    values.priority && `priority ${values.priority}`,
    values.delaySeconds && `in ${values.delaySeconds} s`,
    values.runAt && `at ${new Date(values.runAt).toLocaleString()}`,
    values.timeoutSeconds && `limit ${values.timeoutSeconds} s`,
    values.idempotencyKey && 'keyed',
  ];
  return parts.filter(Boolean).join(', ');
}

/** The options' state of one form; the disclosure opens by itself when one of them is refused. */
export function useTaskOptions() {
  const [values, setValues] = useState(emptyOptions);
  const [open, setOpen] = useState(false);
  return { values, setValues, open, setOpen };
}

type OptionsState = ReturnType<typeof useTaskOptions>;

/**
 * A form's "Options" disclosure: priority, a delay or a start time, a time limit, and an
 * idempotency key, each with the server's message for it below.
 */
export function TaskOptionsFields({
  idPrefix,
  state,
  errors,
}: {
  idPrefix: string;
  state: OptionsState;
  errors: Record<string, string>;
}) {
  const { values, setValues, open, setOpen } = state;
  const set = (name: keyof TaskOptionValues) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [name]: event.target.value }));
  const number = (name: (typeof wholeNumbers)[number], label: string) => (
    <Field
      id={`${idPrefix}-${name}`}
      label={label}
      error={errors[`options.${name}`]}
      control={(props) => (
        <input {...props} name={name} type="number" inputMode="numeric" value={values[name]} onChange={set(name)} />
      )}
    />
  );
  const shown = summary(values);
  return (
    <details className="options" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Options{shown && !open && <span className="muted"> ({shown})</span>}</summary>
      <div className="options-fields">
        {number('priority', 'Priority (1 first, to 1000)')}
        {number('delaySeconds', 'Delay (seconds)')}
        <Field
          id={`${idPrefix}-runAt`}
          label="Or start at"
          error={errors['options.runAt']}
          control={(props) => (
            <input
              {...props}
              name="runAt"
              type="datetime-local"
              step="1"
              value={values.runAt}
              onChange={set('runAt')}
            />
          )}
        />
        {number('timeoutSeconds', 'Time limit (seconds)')}
        <Field
          id={`${idPrefix}-idempotencyKey`}
          label="Idempotency key"
          error={errors['options.idempotencyKey']}
          control={(props) => (
            <input
              {...props}
              name="idempotencyKey"
              autoComplete="off"
              value={values.idempotencyKey}
              onChange={set('idempotencyKey')}
            />
          )}
        />
      </div>
    </details>
  );
}
