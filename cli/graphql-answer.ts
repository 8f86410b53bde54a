import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  buildSchema,
  executeSync,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  isInterfaceType,
  isListType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLTypeResolver,
} from 'graphql';
import { z } from 'zod';
import { CliError, ExitCode, fromGraphQLErrors } from './errors.js';

/** GraphQL errors as the command line reads them; their other fields (locations, path) are not read. */
const errorsSchema = z.array(
  z.object({ message: z.string(), extensions: z.record(z.string(), z.unknown()).optional() }),
);

/** What a GraphQL answer is, over HTTP or in a graphql-ws `next`. */
const answerSchema = z.object({ data: z.record(z.string(), z.unknown()).nullish(), errors: errorsSchema.nullish() });

let schema: GraphQLSchema | undefined;

/** The type an object of an interface is read as when its `__typename` is a type this schema lacks. */
const OTHER = 'CliOther';
const otherTypeName = (interfaceName: string) => `${OTHER}${interfaceName}`;

/**
 * Beside each interface, a type with just its fields: a task of a kind added to the API after
 * schema.graphql was written (`__typename` PrimeCountTask, unknown here) is read as that, and checked
 * for every field of `Task`, as any task is.
 */
function withOtherTypes(base: GraphQLSchema): GraphQLSchema {
  const config = base.toConfig();
  const others = config.types.filter(isInterfaceType).map(
    (type) =>
      new GraphQLObjectType({
        name: otherTypeName(type.name),
        interfaces: [type],
        fields: () => type.toConfig().fields,
      }),
  );
  return new GraphQLSchema({ ...config, types: [...config.types, ...others] });
}

/** schema.graphql, which the command line's operations and their types are generated from; read once. */
function cliSchema(): GraphQLSchema {
  schema ??= withOtherTypes(buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')));
  return schema;
}

function badAnswer(from: string, why: string): CliError {
  return new CliError(`${from} answered ${why}`, ExitCode.failed, 'BAD_ANSWER');
}

function notAnswer(from: string, error: z.ZodError): CliError {
  const issue = error.issues[0]!;
  return badAnswer(from, `something that is not a GraphQL answer (${issue.path.join('.')}: ${issue.message})`);
}

/** The errors the server answered an operation with (graphql-ws' `error` message), as one CliError. */
export function readGraphQLErrors(errors: unknown, from: string): CliError {
  const parsed = errorsSchema.safeParse(errors);
  return parsed.success ? fromGraphQLErrors(parsed.data) : notAnswer(from, parsed.error);
}

/** JSON is any JSON value (codegen types it `unknown`); the schema's other scalars are strings on the wire. */
const ANY_JSON = 'JSON';

/** The schema's own scalars (DateTime) are strings on the wire, as codegen types them for the command line. */
function isStrings(value: unknown, type: GraphQLOutputType): boolean {
  if (value === null || value === undefined) return true; // whether it may be null is graphql's to check
  const nullable = getNullableType(type);
  if (isListType(nullable)) return Array.isArray(value) && value.every((item) => isStrings(item, nullable.ofType));
  return typeof value === 'string';
}

/** Each field of the answer, read from the answer itself, by the name it was asked under. */
const fromAnswer: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new GraphQLError(`${info.parentType.name} must be an object`);
  }
  const key = String(info.path.key);
  const value: unknown = Object.hasOwn(source, key) ? (source as Record<string, unknown>)[key] : undefined;
  const named = getNamedType(info.returnType);
  if (
    isScalarType(named) &&
    !isSpecifiedScalarType(named) &&
    named.name !== ANY_JSON &&
    !isStrings(value, info.returnType)
  ) {
    throw new GraphQLError(`${named.name} must be a string`);
  }
  return value;
};

/**
 * A task's `__typename` says which kind it is; a selection that asks none (`lastTask { id state }`)
 * reads only the interface's fields, which any of its types has, and so does a task of a kind this
 * schema does not know.
 */
const byTypename: GraphQLTypeResolver<unknown, unknown> = (value, _context, info, abstractType) => {
  const typename = typeof value === 'object' && value !== null && '__typename' in value ? value.__typename : undefined;
  if (typeof typename !== 'string') return info.schema.getPossibleTypes(abstractType)[0]?.name;
  const known = info.schema.getType(typename);
  if (known || !isInterfaceType(abstractType)) return typename; // graphql-js says if it is not a possible type
  return otherTypeName(abstractType.name);
};

/** Puts back the `__typename` of objects read as another type (withOtherTypes) from the answer, where they stand. */
function ownTypenames(checked: unknown, answered: unknown): unknown {
  if (Array.isArray(checked)) {
    return checked.map((item, i) => ownTypenames(item, Array.isArray(answered) ? answered[i] : undefined));
  }
  if (typeof checked !== 'object' || checked === null) return checked;
  const source = typeof answered === 'object' && answered !== null ? (answered as Record<string, unknown>) : {};
  const entries = Object.entries(checked).map(([key, value]) =>
    key === '__typename' && typeof value === 'string' && value.startsWith(OTHER)
      ? [key, source.__typename]
      : [key, ownTypenames(value, source[key])],
  );
  return Object.fromEntries(entries);
}

/**
 * The data of a GraphQL answer, checked against the schema the operation's types were generated
 * from, or a CliError: the server's errors (with whatever partial or null data came with them), or
 * why the answer is not one. graphql-js executes the operation over the answer itself, so what the
 * generated types promise holds: no null where the schema says non-null (a list answered `null`),
 * lists are arrays, numbers numbers, enums their values, each `__typename` a type of the schema.
 */
export function readGraphQLAnswer<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  answer: unknown,
  from: string,
): R {
  const parsed = answerSchema.safeParse(answer);
  if (!parsed.success) throw notAnswer(from, parsed.error);
  const { data, errors } = parsed.data;
  if (errors?.length) throw fromGraphQLErrors(errors);
  if (!data) throw badAnswer(from, 'no data');
  const checked = executeSync({
    schema: cliSchema(),
    document,
    rootValue: data,
    variableValues: variables as Record<string, unknown>,
    fieldResolver: fromAnswer,
    typeResolver: byTypename,
  });
  const wrong = checked.errors?.[0];
  if (wrong) {
    const at = wrong.path ? ` at ${wrong.path.join('.')}` : '';
    throw badAnswer(from, `data the command line cannot use${at}: ${wrong.message}`);
  }
  return ownTypenames(checked.data, data) as R;
}
