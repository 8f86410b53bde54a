import type { ControlProps } from './form-fields';
import { Field, FieldError } from './form-fields';
import type { FormValue, FormValues, KindField } from './kind-fields';

interface KindInputFieldsProps {
  /** Makes the ids of this form's fields unique on the page: `sleep` gives `sleep-duration`. */
  idPrefix: string;
  fields: readonly KindField[];
  values: FormValues;
  onChange(values: FormValues): void;
  /** Messages by path (`input.duration`), the form's own checks and the server's problems. */
  errors: Record<string, string>;
}

/** A text that may be longer than this is typed in a box of several lines. */
const LONG_TEXT = 200;

/** The id of a field's control: the prefix, then its path after `input`. */
const idOf = (prefix: string, field: KindField) => `${prefix}-${field.path.split('.').slice(1).join('-')}`;

function Control({
  field,
  value,
  set,
  control,
}: {
  field: KindField;
  value: FormValue | undefined;
  set(value: FormValue): void;
  control: ControlProps;
}) {
  const text = typeof value === 'string' ? value : '';
  const onText = (event: { target: { value: string } }) => set(event.target.value);
  switch (field.control) {
    case 'number':
      return (
        <input
          {...control}
          name={field.name}
          type="number"
          inputMode={field.integer ? 'numeric' : 'decimal'}
          min={field.min}
          max={field.max}
          step={field.integer ? 1 : 'any'}
          required={field.required}
          value={text}
          onChange={onText}
        />
      );
    case 'text':
      return field.maxLength !== undefined && field.maxLength > LONG_TEXT ? (
        <textarea
          {...control}
          name={field.name}
          rows={3}
          minLength={field.minLength}
          maxLength={field.maxLength}
          required={field.required}
          value={text}
          onChange={onText}
        />
      ) : (
        <input
          {...control}
          name={field.name}
          minLength={field.minLength}
          maxLength={field.maxLength}
          required={field.required}
          value={text}
          onChange={onText}
        />
      );
    case 'checkbox':
      return (
        <input
          {...control}
          name={field.name}
          type="checkbox"
          checked={value === true}
          onChange={(event) => set(event.target.checked)}
        />
      );
    case 'select':
      return (
        <select {...control} name={field.name} value={text} onChange={onText}>
          {!field.required && <option value="">none</option>}
          {field.options.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      );
    case 'list':
      return field.item === 'string' ? (
        <textarea {...control} name={field.name} rows={3} placeholder="one a line" value={text} onChange={onText} />
      ) : (
        <input
          {...control}
          name={field.name}
          inputMode={field.item === 'integer' ? 'numeric' : 'decimal'}
          placeholder="1, 2, 3"
          autoComplete="off"
          value={text}
          onChange={onText}
        />
      );
    default:
      return (
        <textarea
          {...control}
          name={field.name}
          rows={3}
          spellCheck={false}
          placeholder="JSON"
          className="json"
          value={text}
          onChange={onText}
        />
      );
  }
}

/**
 * The fields of a kind's input, drawn from its JSON Schema (kind-fields.ts): a labelled control
 * each, the kind's description of it as its hint, its bounds in its label and on the control, and
 * the message for it right below. A nested object is a group of its own fields; a list of an
 * enum's values, a checkbox each.
 */
export function KindInputFields({ idPrefix, fields, values, onChange, errors }: KindInputFieldsProps) {
  const set = (name: string) => (value: FormValue) => onChange({ ...values, [name]: value });
  return (
    <>
      {fields.map((field) => {
        const id = idOf(idPrefix, field);
        const error = errors[field.path];
        const hint = field.description;
        if (field.control === 'const') return null;
        if (field.control === 'object' || field.control === 'choices') {
          const legendId = `${id}-legend`;
          return (
            <fieldset key={field.name} id={id} aria-describedby={error ? `${id}-error` : undefined}>
              <legend id={legendId}>{field.label}</legend>
              {hint && <p className="field-hint">{hint}</p>}
              {field.control === 'object' ? (
                <KindInputFields
                  idPrefix={idPrefix}
                  fields={field.fields}
                  values={(values[field.name] ?? {}) as FormValues}
                  onChange={set(field.name)}
                  errors={errors}
                />
              ) : (
                <Choices field={field} id={id} value={values[field.name]} set={set(field.name)} />
              )}
              <FieldError id={`${id}-error`} message={error} />
            </fieldset>
          );
        }
        return (
          <Field
            key={field.name}
            id={id}
            label={field.label}
            hint={hint}
            error={error}
            control={(control) => (
              <Control field={field} value={values[field.name]} set={set(field.name)} control={control} />
            )}
          />
        );
      })}
    </>
  );
}

function Choices({
  field,
  id,
  value,
  set,
}: {
  field: Extract<KindField, { control: 'choices' }>;
  id: string;
  value: FormValue | undefined;
  set(value: FormValue): void;
}) {
  const ticked = Array.isArray(value) ? (value as readonly string[]) : [];
  return (
    <div className="choices">
      {field.options.map((option) => (
        <label key={option} htmlFor={`${id}-${option}`}>
          <input
            id={`${id}-${option}`}
            type="checkbox"
            checked={ticked.includes(option)}
            // In the kind's order, whatever the order of the clicks.
            onChange={(event) =>
              set(field.options.filter((known) => (known === option ? event.target.checked : ticked.includes(known))))
            }
          />{' '}
          {option}
        </label>
      ))}
    </div>
  );
}
