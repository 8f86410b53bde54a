import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import type { CalculationOperation, TaskFieldsFragment, TaskOptionsInput } from '../graphql/generated/graphql';
import { CreateCalculationTaskMutation, CreateSleepTaskMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';
import { Field, FieldError } from './form-fields';
import { optionPaths, TaskOptionsFields, taskOptions, useTaskOptions } from './TaskOptionsFields';

const noErrors: FieldErrors = { fields: {}, form: null };

/**
 * What both create forms share: their options, the errors shown under each field (the form's own
 * checks first, then the server's), and the disclosure opened when an option is refused.
 */
function useCreateForm(inputPaths: readonly string[]) {
  const options = useTaskOptions();
  const [errors, setErrors] = useState(noErrors);
  const show = (shown: FieldErrors) => {
    setErrors(shown);
    if (Object.keys(shown.fields).some((path) => path.startsWith('options.'))) options.setOpen(true);
  };
  /** Runs the create with the options, unless something typed is wrong already. */
  async function submit(inputErrors: Record<string, string>, create: (options?: TaskOptionsInput) => Promise<void>) {
    const checked = taskOptions(options.values);
    const local = { ...inputErrors, ...checked.errors };
    if (Object.keys(local).length > 0) return show({ fields: local, form: null });
    setErrors(noErrors);
    try {
      await create(checked.options);
    } catch (error) {
      show(fieldErrors(error, [...inputPaths, ...optionPaths]));
    }
  }
  return { options, errors, submit };
}

export function SleepTaskForm({ onCreated }: { onCreated(task: TaskFieldsFragment): void }) {
  const [duration, setDuration] = useState('5');
  const { options, errors, submit } = useCreateForm(['input.duration']);
  const [create, { loading }] = useMutation(CreateSleepTaskMutation);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit({}, async (taskOptions) => {
      const { data } = await create({ variables: { input: { duration: Number(duration) }, options: taskOptions } });
      if (data) onCreated(data.createSleepTask);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="sleep-form-title" className="card">
      <h2 id="sleep-form-title">Sleep task</h2>
      <Field
        id="sleep-duration"
        label="Duration (seconds, 1 to 300)"
        error={errors.fields['input.duration']}
        control={(props) => (
          <input
            {...props}
            name="duration"
            type="number"
            inputMode="numeric"
            value={duration}
            onChange={(event) => setDuration(event.target.value)}
          />
        )}
      />
      <TaskOptionsFields idPrefix="sleep" state={options} errors={errors.fields} />
      <FieldError id="sleep-form-error" message={errors.form} />
      <button type="submit" disabled={loading}>
        Start sleep task
      </button>
    </form>
  );
}

const operations: CalculationOperation[] = ['SUM', 'PRODUCT', 'AVERAGE'];

/** "1, 2 3" becomes [1, 2, 3]; anything that is not a whole number is refused here. */
function parseNumbers(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  return parts.every((part) => /^-?\d+$/.test(part)) ? parts.map(Number) : null;
}

export function CalculationTaskForm({ onCreated }: { onCreated(task: TaskFieldsFragment): void }) {
  const [numbers, setNumbers] = useState('1, 2, 3');
  const [operation, setOperation] = useState<CalculationOperation>('SUM');
  const { options, errors, submit } = useCreateForm(['input.numbers', 'input.operation']);
  const [create, { loading }] = useMutation(CreateCalculationTaskMutation);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseNumbers(numbers);
    const inputErrors: Record<string, string> = parsed
      ? {}
      : { 'input.numbers': 'Write whole numbers separated by commas or spaces' };
    void submit(inputErrors, async (taskOptions) => {
      const { data } = await create({ variables: { input: { numbers: parsed!, operation }, options: taskOptions } });
      if (data) onCreated(data.createCalculationTask);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="calculation-form-title" className="card">
      <h2 id="calculation-form-title">Calculation task</h2>
      <Field
        id="calculation-numbers"
        label="Numbers (1 to 100 integers)"
        error={errors.fields['input.numbers']}
        control={(props) => (
          <input {...props} name="numbers" value={numbers} onChange={(event) => setNumbers(event.target.value)} />
        )}
      />
      <Field
        id="calculation-operation"
        label="Operation"
        error={errors.fields['input.operation']}
        control={(props) => (
          <select
            {...props}
            name="operation"
            value={operation}
            onChange={(event) => setOperation(event.target.value as CalculationOperation)}
          >
            {operations.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        )}
      />
      <TaskOptionsFields idPrefix="calculation" state={options} errors={errors.fields} />
      <FieldError id="calculation-form-error" message={errors.form} />
      <button type="submit" disabled={loading}>
        Start calculation task
      </button>
    </form>
  );
}
