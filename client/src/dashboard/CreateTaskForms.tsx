import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import type { CalculationOperation, TaskFieldsFragment } from '../graphql/generated/graphql';
import { CreateCalculationTaskMutation, CreateSleepTaskMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';

const noErrors: FieldErrors = { fields: {}, form: null };

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

export function SleepTaskForm({ onCreated }: { onCreated(task: TaskFieldsFragment): void }) {
  const [duration, setDuration] = useState('5');
  const [errors, setErrors] = useState(noErrors);
  const [create, { loading }] = useMutation(CreateSleepTaskMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors(noErrors);
    try {
      const { data } = await create({ variables: { input: { duration: Number(duration) } } });
      if (data) onCreated(data.createSleepTask);
    } catch (error) {
      setErrors(fieldErrors(error, ['duration']));
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="sleep-form-title" className="card">
      <h2 id="sleep-form-title">Sleep task</h2>
      <label htmlFor="sleep-duration">Duration (seconds, 1 to 300)</label>
      <input
        id="sleep-duration"
        name="duration"
        type="number"
        inputMode="numeric"
        value={duration}
        onChange={(event) => setDuration(event.target.value)}
        aria-invalid={Boolean(errors.fields.duration)}
        aria-describedby={errors.fields.duration ? 'sleep-duration-error' : undefined}
      />
      <FieldError id="sleep-duration-error" message={errors.fields.duration} />
      <FieldError id="sleep-form-error" message={errors.form ?? undefined} />
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
  const [errors, setErrors] = useState(noErrors);
  const [create, { loading }] = useMutation(CreateCalculationTaskMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseNumbers(numbers);
    if (!parsed) {
      setErrors({ fields: { numbers: 'Write whole numbers separated by commas or spaces' }, form: null });
      return;
    }
    setErrors(noErrors);
    try {
      const { data } = await create({ variables: { input: { numbers: parsed, operation } } });
      if (data) onCreated(data.createCalculationTask);
    } catch (error) {
      setErrors(fieldErrors(error, ['numbers', 'operation']));
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="calculation-form-title" className="card">
      <h2 id="calculation-form-title">Calculation task</h2>
      <label htmlFor="calculation-numbers">Numbers (1 to 100 integers)</label>
      <input
        id="calculation-numbers"
        name="numbers"
        value={numbers}
        onChange={(event) => setNumbers(event.target.value)}
        aria-invalid={Boolean(errors.fields.numbers)}
        aria-describedby={errors.fields.numbers ? 'calculation-numbers-error' : undefined}
      />
      <FieldError id="calculation-numbers-error" message={errors.fields.numbers} />
      <label htmlFor="calculation-operation">Operation</label>
      <select
        id="calculation-operation"
        name="operation"
        value={operation}
        onChange={(event) => setOperation(event.target.value as CalculationOperation)}
      >
        {operations.map((value) => (
          <option key={value}>{value}</option>
        ))}
      </select>
      <FieldError id="calculation-operation-error" message={errors.fields.operation} />
      <FieldError id="calculation-form-error" message={errors.form ?? undefined} />
      <button type="submit" disabled={loading}>
        Start calculation task
      </button>
    </form>
  );
}
