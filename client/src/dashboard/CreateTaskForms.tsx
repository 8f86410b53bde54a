import { useMutation } from '@apollo/client/react';
import { useMemo, useState, type FormEvent } from 'react';
import type { TaskFieldsFragment, TaskOptionsInput } from '../graphql/generated/graphql';
import { CreateTaskMutation } from '../graphql/operations';
import { fieldErrors, type FieldErrors } from './field-errors';
import { FieldError } from './form-fields';
import { buildInput, fieldPaths, initialValues, kindFields } from './kind-fields';
import { KindDescription } from './KindDescription';
import { KindInputFields } from './KindInputFields';
import { kindIdPrefix, kindTitle } from './task-format';
import { optionPaths, TaskOptionsFields, taskOptions, useTaskOptions } from './TaskOptionsFields';
import type { TaskKind } from './use-task-kinds';

const noErrors: FieldErrors = { fields: {}, form: null };

/**
 * What every create form has: its options, the errors shown under each field (the form's own
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

/**
 * The create form of one kind, drawn from its input's JSON Schema as `taskKinds` answers it (so a
 * kind added to the service has its form with no change here), creating through `createTask`.
 */
export function CreateTaskForm({ kind, onCreated }: { kind: TaskKind; onCreated(task: TaskFieldsFragment): void }) {
  const fields = useMemo(() => kindFields(kind.inputSchema), [kind.inputSchema]);
  const [values, setValues] = useState(() => initialValues(fields));
  const { options, errors, submit } = useCreateForm(fieldPaths(fields));
  const [create, { loading }] = useMutation(CreateTaskMutation);
  const prefix = kindIdPrefix(kind.name);
  const title = kindTitle(kind.name);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const built = buildInput(fields, values);
    void submit('errors' in built ? built.errors : {}, async (checkedOptions) => {
      if ('errors' in built) return;
      const { data } = await create({ variables: { kind: kind.name, input: built.input, options: checkedOptions } });
      if (data) onCreated(data.createTask);
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${prefix}-form-title`}
      className="card"
      data-kind={kind.name}
    >
      <h2 id={`${prefix}-form-title`}>{title}</h2>
      <KindDescription kind={kind} />
      <KindInputFields idPrefix={prefix} fields={fields} values={values} onChange={setValues} errors={errors.fields} />
      <TaskOptionsFields idPrefix={prefix} state={options} errors={errors.fields} />
      <FieldError id={`${prefix}-form-error`} message={errors.form} />
      <button type="submit" disabled={loading}>
        Start {title.toLowerCase()}
      </button>
    </form>
  );
}
