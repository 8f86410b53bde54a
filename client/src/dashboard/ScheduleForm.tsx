import { useMutation } from '@apollo/client/react';
import { useMemo, useState, type FormEvent } from 'react';
import type { CalculationOperation, ScheduleFieldsFragment, ScheduleInput } from '../graphql/generated/graphql';
import { CreateCalculationTaskScheduleMutation, CreateSleepTaskScheduleMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';
import { CalculationInputFields, DurationField, Field, FieldError, NUMBERS_HINT, parseNumbers } from './form-fields';

const noErrors: FieldErrors = { fields: {}, form: null };

const fieldPaths = [
  'input.duration',
  'input.numbers',
  'input.operation',
  'schedule.cron',
  'schedule.everySeconds',
  'schedule.timezone',
];

type Kind = 'sleep_task' | 'calculation_task';
type Timing = 'cron' | 'every';

/** The time zones this browser knows, offered as the time zone field's suggestions. */
function useTimeZones(): string[] {
  return useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
}

/**
 * A new schedule of either kind: its input, and a cron expression (in a time zone) or an interval.
 * The service's errors show under their fields, as the create forms' do.
 */
export function ScheduleForm({ onCreated }: { onCreated(schedule: ScheduleFieldsFragment): void }) {
  const [kind, setKind] = useState<Kind>('sleep_task');
  const [duration, setDuration] = useState('5');
  const [numbers, setNumbers] = useState('1, 2, 3');
  const [operation, setOperation] = useState<CalculationOperation>('SUM');
  const [timing, setTiming] = useState<Timing>('every');
  const [cron, setCron] = useState('*/30 * * * * *');
  const [everySeconds, setEverySeconds] = useState('60');
  const [timezone, setTimezone] = useState('');
  const [errors, setErrors] = useState(noErrors);
  const timeZones = useTimeZones();
  const [createSleep, sleeping] = useMutation(CreateSleepTaskScheduleMutation);
  const [createCalculation, calculating] = useMutation(CreateCalculationTaskScheduleMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    const parsed = parseNumbers(numbers);
    if (kind === 'calculation_task' && !parsed) local['input.numbers'] = NUMBERS_HINT;
    if (timing === 'every' && !/^\d+$/.test(everySeconds.trim()))
      local['schedule.everySeconds'] = 'Write a whole number';
    if (Object.keys(local).length > 0) return setErrors({ fields: local, form: null });
    const schedule: ScheduleInput =
      timing === 'cron' ? { cron, timezone: timezone.trim() || null } : { everySeconds: Number(everySeconds) };
    setErrors(noErrors);
    try {
      const created =
        kind === 'sleep_task'
          ? (await createSleep({ variables: { input: { duration: Number(duration) }, schedule } })).data
              ?.createSleepTaskSchedule
          : (await createCalculation({ variables: { input: { numbers: parsed!, operation }, schedule } })).data
              ?.createCalculationTaskSchedule;
      if (created) onCreated(created);
    } catch (error) {
      setErrors(fieldErrors(error, fieldPaths));
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="schedule-form-title" className="card">
      <h2 id="schedule-form-title">Schedule</h2>
      <Field
        id="schedule-kind"
        label="Task"
        error={undefined}
        control={(props) => (
          <select {...props} value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
            <option value="sleep_task">Sleep</option>
            <option value="calculation_task">Calculation</option>
          </select>
        )}
      />
      {kind === 'sleep_task' ? (
        <DurationField
          id="schedule-duration"
          value={duration}
          onChange={setDuration}
          error={errors.fields['input.duration']}
        />
      ) : (
        <CalculationInputFields
          idPrefix="schedule"
          numbers={numbers}
          onNumbersChange={setNumbers}
          operation={operation}
          onOperationChange={setOperation}
          errors={errors.fields}
        />
      )}
      <Field
        id="schedule-timing"
        label="Runs"
        error={undefined}
        control={(props) => (
          <select {...props} value={timing} onChange={(event) => setTiming(event.target.value as Timing)}>
            <option value="every">every N seconds</option>
            <option value="cron">on a cron expression</option>
          </select>
        )}
      />
      {timing === 'every' ? (
        <Field
          id="schedule-every"
          label="Every (seconds)"
          error={errors.fields['schedule.everySeconds']}
          control={(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              value={everySeconds}
              onChange={(event) => setEverySeconds(event.target.value)}
            />
          )}
        />
      ) : (
        <>
          <Field
            id="schedule-cron"
            label="Cron expression"
            error={errors.fields['schedule.cron']}
            control={(props) => (
              <input
                {...props}
                value={cron}
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => setCron(event.target.value)}
              />
            )}
          />
          <Field
            id="schedule-timezone"
            label="Time zone"
            error={errors.fields['schedule.timezone']}
            control={(props) => (
              <input
                {...props}
                value={timezone}
                placeholder="UTC"
                list="schedule-timezones"
                autoComplete="off"
                onChange={(event) => setTimezone(event.target.value)}
              />
            )}
          />
          <datalist id="schedule-timezones">
            {timeZones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </>
      )}
      <FieldError id="schedule-form-error" message={errors.form} />
      <button type="submit" disabled={sleeping.loading || calculating.loading}>
        Create schedule
      </button>
    </form>
  );
}
