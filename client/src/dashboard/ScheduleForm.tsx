import { useMutation } from '@apollo/client/react';
import { useMemo, useState, type FormEvent } from 'react';
import type { ScheduleFieldsFragment, ScheduleInput } from '../graphql/generated/graphql';
import { CreateTaskScheduleMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';
import { Field, FieldError } from './form-fields';
import { buildInput, fieldPaths, initialValues, kindFields, type FormValues } from './kind-fields';
import { KindDescription } from './KindDescription';
import { KindInputFields } from './KindInputFields';
import { kindLabel } from './task-format';
import type { TaskKind } from './use-task-kinds';

const noErrors: FieldErrors = { fields: {}, form: null };

const schedulePaths = ['kind', 'schedule.cron', 'schedule.everySeconds', 'schedule.timezone'];

type Timing = 'cron' | 'every';

/** The time zones this browser knows, offered as the time zone field's suggestions. */
function useTimeZones(): string[] {
  return useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
}

/**
 * A new schedule of any kind: the kind's input, drawn from its JSON Schema as the create forms'
 * are, and a cron expression (in a time zone) or an interval; created through `createTaskSchedule`.
 * What was typed for each kind stays while another is chosen. The service's errors show under
 * their fields, as the create forms' do.
 */
export function ScheduleForm({
  kinds,
  onCreated,
}: {
  kinds: readonly TaskKind[];
  onCreated(schedule: ScheduleFieldsFragment): void;
}) {
  const [kindName, setKindName] = useState(kinds[0]?.name ?? '');
  const kind = kinds.find((known) => known.name === kindName) ?? kinds[0];
  const fields = useMemo(() => kindFields(kind?.inputSchema), [kind?.inputSchema]);
  const [typed, setTyped] = useState<Record<string, FormValues>>({});
  const values = (kind && typed[kind.name]) ?? initialValues(fields);
  const [timing, setTiming] = useState<Timing>('every');
  const [cron, setCron] = useState('*/30 * * * * *');
  const [everySeconds, setEverySeconds] = useState('60');
  const [timezone, setTimezone] = useState('');
  const [errors, setErrors] = useState(noErrors);
  const timeZones = useTimeZones();
  const [create, { loading }] = useMutation(CreateTaskScheduleMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!kind) return;
    const built = buildInput(fields, values);
    const local: Record<string, string> = 'errors' in built ? { ...built.errors } : {};
    if (timing === 'every' && !/^\d+$/.test(everySeconds.trim()))
      local['schedule.everySeconds'] = 'Write a whole number';
    if (Object.keys(local).length > 0 || 'errors' in built) return setErrors({ fields: local, form: null });
    const schedule: ScheduleInput =
      timing === 'cron' ? { cron, timezone: timezone.trim() || null } : { everySeconds: Number(everySeconds) };
    setErrors(noErrors);
    try {
      const { data } = await create({ variables: { kind: kind.name, input: built.input, schedule } });
      if (data) onCreated(data.createTaskSchedule);
    } catch (error) {
      setErrors(fieldErrors(error, [...fieldPaths(fields), ...schedulePaths]));
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="schedule-form-title" className="card">
      <h2 id="schedule-form-title">Schedule</h2>
      <Field
        id="schedule-kind"
        label="Task"
        error={errors.fields['kind']}
        control={(props) => (
          <select
            {...props}
            value={kind?.name ?? ''}
            onChange={(event) => {
              setKindName(event.target.value);
              setErrors(noErrors);
            }}
          >
            {kinds.map((known) => (
              <option key={known.name} value={known.name}>
                {kindLabel(known.name)}
              </option>
            ))}
          </select>
        )}
      />
      {kind && (
        <>
          <KindDescription kind={kind} />
          <KindInputFields
            idPrefix="schedule"
            fields={fields}
            values={values}
            onChange={(changed) => setTyped((current) => ({ ...current, [kind.name]: changed }))}
            errors={errors.fields}
          />
        </>
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
      <button type="submit" disabled={loading || !kind}>
        Create schedule
      </button>
    </form>
  );
}
