import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { CalculationOperation, TaskFieldsFragment } from '../graphql/generated/graphql';
import { CreateCalculationTaskMutation, CreateSleepTaskMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';

const noErrors: FieldErrors = { fields: {}, form: null };

function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  return message ? (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A labelled control with the server's message for it right below, tied to it for screen readers. */
function Field(props: {
  id: string;
  label: string;
  error: string | undefined;
  control(props: ControlProps): ReactNode;
}) {
  const { id, label, error, control } = props;
  const errorId = `${id}-error`;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {control({ id, 'aria-invalid': Boolean(error), 'aria-describedby': error ? errorId : undefined })}
      <FieldError id={errorId} message={error} />
    </>
  );
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
      <Field
        id="sleep-duration"
        label="Duration (seconds, 1 to 300)"
        error={errors.fields.duration}
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
      <Field
        id="calculation-numbers"
        label="Numbers (1 to 100 integers)"
        error={errors.fields.numbers}
        control={(props) => (
          <input {...props} name="numbers" value={numbers} onChange={(event) => setNumbers(event.target.value)} />
        )}
      />
      <Field
        id="calculation-operation"
        label="Operation"
        error={errors.fields.operation}
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
      <FieldError id="calculation-form-error" message={errors.form} />
      <button type="submit" disabled={loading}>
        Start calculation task
      </button>
    </form>
  );
}
