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
