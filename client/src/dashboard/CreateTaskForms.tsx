import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import type { CalculationOperation, TaskFieldsFragment, TaskOptionsInput } from '../graphql/generated/graphql';
import { CreateCalculationTaskMutation, CreateSleepTaskMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';
import { CalculationInputFields, DurationField, FieldError, NUMBERS_HINT, parseNumbers } from './form-fields';
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
    void submit({}, async (checkedOptions) => {
      const { data } = await create({ variables: { input: { duration: Number(duration) }, options: checkedOptions } });
      if (data) onCreated(data.createSleepTask);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="sleep-form-title" className="card">
      <h2 id="sleep-form-title">Sleep task</h2>
      <DurationField
        id="sleep-duration"
        value={duration}
        onChange={setDuration}
        error={errors.fields['input.duration']}
      />
      <TaskOptionsFields idPrefix="sleep" state={options} errors={errors.fields} />
      <FieldError id="sleep-form-error" message={errors.form} />
      <button type="submit" disabled={loading}>
        Start sleep task
      </button>
    </form>
  );
}

export function CalculationTaskForm({ onCreated }: { onCreated(task: TaskFieldsFragment): void }) {
  const [numbers, setNumbers] = useState('1, 2, 3');
  const [operation, setOperation] = useState<CalculationOperation>('SUM');
  const { options, errors, submit } = useCreateForm(['input.numbers', 'input.operation']);
  const [create, { loading }] = useMutation(CreateCalculationTaskMutation);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseNumbers(numbers);
    const inputErrors: Record<string, string> = parsed ? {} : { 'input.numbers': NUMBERS_HINT };
    void submit(inputErrors, async (checkedOptions) => {
      const { data } = await create({ variables: { input: { numbers: parsed!, operation }, options: checkedOptions } });
      if (data) onCreated(data.createCalculationTask);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="calculation-form-title" className="card">
      <h2 id="calculation-form-title">Calculation task</h2>
      <CalculationInputFields
        idPrefix="calculation"
        numbers={numbers}
        onNumbersChange={setNumbers}
        operation={operation}
        onOperationChange={setOperation}
        errors={errors.fields}
      />
      <TaskOptionsFields idPrefix="calculation" state={options} errors={errors.fields} />
      <FieldError id="calculation-form-error" message={errors.form} />
      <button type="submit" disabled={loading}>
        Start calculation task
      </button>
    </form>
  );
}
