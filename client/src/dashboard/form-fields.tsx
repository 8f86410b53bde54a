import type { ReactNode } from 'react';
import type { CalculationOperation } from '../graphql/generated/graphql';

export const operations: CalculationOperation[] = ['SUM', 'PRODUCT', 'AVERAGE'];

export const NUMBERS_HINT = 'Write whole numbers separated by commas or spaces';

/** "1, 2 3" becomes [1, 2, 3]; anything that is not a whole number is refused here. */
export function parseNumbers(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  return parts.every((part) => /^-?\d+$/.test(part)) ? parts.map(Number) : null;
}

export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  return message ? (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A labelled control with the server's message for it right below, tied to it for screen readers. */
export function Field(props: {
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

/** A sleep's input: its duration. */
export function DurationField(props: { id: string; value: string; onChange(value: string): void; error?: string }) {
  const { id, value, onChange, error } = props;
  return (
    <Field
      id={id}
      label="Duration (seconds, 1 to 300)"
      error={error}
      control={(control) => (
        <input
          {...control}
          name="duration"
          type="number"
          inputMode="numeric"
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    />
  );
}

/** A calculation's input: its numbers and its operation. */
export function CalculationInputFields(props: {
  idPrefix: string;
  numbers: string;
  onNumbersChange(value: string): void;
  operation: CalculationOperation;
  onOperationChange(value: CalculationOperation): void;
  errors: Record<string, string>;
}) {
  const { idPrefix, numbers, onNumbersChange, operation, onOperationChange, errors } = props;
  return (
    <>
      <Field
        id={`${idPrefix}-numbers`}
        label="Numbers (1 to 100 integers)"
        error={errors['input.numbers']}
        control={(control) => (
          <input
            {...control}
            name="numbers"
            value={numbers}
            onChange={(event) => onNumbersChange(event.target.value)}
          />
        )}
      />
      <Field
        id={`${idPrefix}-operation`}
        label="Operation"
        error={errors['input.operation']}
        control={(control) => (
          <select
            {...control}
            name="operation"
            value={operation}
            onChange={(event) => onOperationChange(event.target.value as CalculationOperation)}
          >
            {operations.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        )}
      />
    </>
  );
}
