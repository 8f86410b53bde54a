import type { ReactNode } from 'react';

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

/**
 * A labelled control with the server's message for it right below, tied to it for screen readers,
 * and a hint between the two when there is one (a kind's description of the field).
 */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
  control(props: ControlProps): ReactNode;
}) {
  const { id, label, hint, error, control } = props;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && hintId, error && errorId].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {control({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      <FieldError id={errorId} message={error} />
    </>
  );
}
