import 'reflect-metadata'; // type-graphql's decorators read it
import { GraphQLScalarType } from 'graphql';
import {
  Extensions,
  Field,
  Float,
  getMetadataStorage,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
  type ClassType,
} from 'type-graphql';
import type { AnyTaskDefinition } from '../../core/task-definition.js';
import { taskShapeOf, type ObjectShape, type TypeShape } from '../../core/task-kinds/task-shape.js';
import { listBound } from './list-bound.js';
import { Task } from './task.type.js';

/**
 * A kind's GraphQL types, made from its definition with type-graphql's own decorators applied to
 * classes made here: its task type (implementing Task), its create input, its result and its
 * progress detail, with the enums and objects they hold. Names and descriptions derive from the
 * definition; `graphql` in it keeps the ones the API had before they derived.
 */
export interface TaskKindTypes {
  typeName: string;
  inputName: string;
  objectType: ClassType;
  inputType: ClassType;
}

const RESULT_DESCRIPTION = 'Its result once COMPLETED; null until then, and for a task that did not complete.';
const PROGRESS_DETAIL_DESCRIPTION = 'What its latest step reported; null before its first step.';

/** `word_count_task` → `WordCountTask`; `images` → `Images`. */
export function pascalCase(name: string): string {
  return name
    .split(/[_\W]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** `word_count_task` → `word count` (what descriptions call the kind). */
export function kindWords(name: string): string {
  return name.replace(/_task$/, '').replaceAll('_', ' ');
}

type GraphQLTypeRef = ClassType | GraphQLScalarType | object | [GraphQLTypeRef];

/** Enums by name across every kind: two places may share one name only with the same values. */
const enums = new Map<string, { values: string; enum: object }>();

/** The fields every task has (the Task interface's), which a kind's input may not name. */
function taskFieldNames(): string[] {
  return getMetadataStorage()
    .fields.filter((field) => field.target === (Task as unknown))
    .map((field) => field.name);
}

/** A class of its own for each type: type-graphql keys a type's fields by its class. */
function namedClass(name: string, base?: ClassType): ClassType {
  const made = base ? class extends (base as new () => object) {} : class {};
  Object.defineProperty(made, 'name', { value: name });
  return made as ClassType;
}

export function buildTaskKindTypes(definition: AnyTaskDefinition): TaskKindTypes {
  const shape = taskShapeOf(definition);
  const overrides = definition.graphql ?? {};
  const typeName = pascalCase(definition.name);
  const words = kindWords(definition.name);
  const nameAt = (path: string, fallback: string) => overrides.typeNames?.[path] ?? fallback;
  const describe = (coordinate: string, fallback: string | null) => overrides.descriptions?.[coordinate] ?? fallback;

  /** A nested type's name from its place: `input.operation` → `CalculationTaskOperation`, `result.totals` → `…ResultTotals`. */
  const nestedName = (path: string) => typeName + pascalCase(path.replace(/^input\b/, '').replaceAll('[]', ''));

  function enumType(type: Extract<TypeShape, { kind: 'enum' }>): object {
    const name = nameAt(type.path, nestedName(type.path));
    const values = type.values.join(',');
    const known = enums.get(name);
    if (known) {
      if (known.values !== values) throw new Error(`${definition.name}: two enums are named ${name}`);
      return known.enum;
    }
    const made = Object.fromEntries(type.values.map((value) => [value, value]));
    registerEnumType(made, {
      name,
      // A field's .describe() is the field's: an enum's own description comes from `graphql` alone.
      description: describe(name, null) ?? undefined,
      valuesConfig: Object.fromEntries(
        type.values.flatMap((value) => {
          const description = describe(`${name}.${value}`, null);
          return description ? [[value, { description }]] : [];
        }),
      ),
    });
    enums.set(name, { values, enum: made });
    return made;
  }

  /** The GraphQL type of a field: input side for a create's input, output side for what a task answers. */
  function typeOf(type: TypeShape, side: 'input' | 'output'): GraphQLTypeRef {
    switch (type.kind) {
      case 'scalar':
        return { Int, Float, String, Boolean }[type.scalar];
      case 'enum':
        return enumType(type);
      case 'list':
        return [typeOf(type.of, side)];
      case 'object':
        return side === 'input'
          ? inputObject(type, `${nestedName(type.path)}Input`)
          : outputObject(type, nestedName(type.path));
    }
  }

  /** Adds the shape's fields to the type `ownName`. */
  function addFields(target: ClassType, object: ObjectShape, ownName: string, side: 'input' | 'output') {
    for (const field of object.fields) {
      const fieldType = typeOf(field.type, side);
      Field(() => fieldType, {
        nullable: !field.required,
        description: describe(`${ownName}.${field.name}`, field.description) ?? undefined,
      })(target.prototype as object, field.name);
      // The cost limit counts a list as long as its schema lets it be.
      if (field.type.kind === 'list') {
        Extensions(listBound({ items: field.type.maxItems }))(target.prototype as object, field.name);
      }
    }
  }

  function outputObject(object: ObjectShape, fallbackName: string, fallbackDescription: string | null = null) {
    const name = nameAt(object.path, fallbackName);
    const made = namedClass(name);
    addFields(made, object, name, 'output');
    ObjectType(name, { description: describe(name, object.description ?? fallbackDescription) ?? undefined })(made);
    return made;
  }

  function inputObject(object: ObjectShape, name: string, fallbackDescription: string | null = null) {
    const made = namedClass(name);
    addFields(made, object, name, 'input');
    InputType(name, { description: describe(name, object.description ?? fallbackDescription) ?? undefined })(made);
    return made;
  }

  const inputName = `Create${typeName}Input`;
  const inputType = inputObject(shape.input, inputName, `What a ${words} task does.`);
  const result = outputObject(shape.result, `${typeName}Result`, `What a completed ${words} task answers.`);
  const progress =
    shape.progress && outputObject(shape.progress, `${typeName}Progress`, `What a step of a ${words} task reports.`);

  // The input's fields sit beside Task's own on the kind's type: a name Task has would replace its field.
  const taken = new Set([...taskFieldNames(), 'result', 'progressDetail']);
  const clash = shape.input.fields.find((field) => taken.has(field.name));
  if (clash) {
    throw new Error(`input.${clash.name}: every task has a field named ${clash.name}; give this one another name`);
  }
  const objectType = namedClass(typeName, Task as unknown as ClassType);
  addFields(objectType, shape.input, typeName, 'output');
  Field(() => result, { nullable: true, description: RESULT_DESCRIPTION })(objectType.prototype as object, 'result');
  if (progress) {
    Field(() => progress, { nullable: true, description: PROGRESS_DETAIL_DESCRIPTION })(
      objectType.prototype as object,
      'progressDetail',
    );
  }
  ObjectType(typeName, { implements: Task, description: describe(typeName, definition.description) ?? undefined })(
    objectType,
  );
  return { typeName, inputName, objectType, inputType };
}
