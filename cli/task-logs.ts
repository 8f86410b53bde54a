import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, visit } from 'graphql';
import type { ApiClient } from './api-client.js';
import { CliError, ExitCode } from './errors.js';
import type { CliTaskLogsQuery, CliTaskLogsQueryVariables } from './graphql/generated/graphql.js';
import { TaskLogsQuery } from './graphql/operations.js';

export type CliLogLine = NonNullable<CliTaskLogsQuery['task']>['logs'][number];

export const DEFAULT_LOG_LINES = 100;

/** The log query asking for `last` lines, written into the document as the cost limit wants it. */
function logsQuery(last: number): TypedDocumentNode<CliTaskLogsQuery, CliTaskLogsQueryVariables> {
  if (last === DEFAULT_LOG_LINES) return TaskLogsQuery;
  return visit(TaskLogsQuery, {
    Argument: (argument) =>
      argument.name.value === 'last' ? { ...argument, value: { kind: Kind.INT, value: String(last) } } : undefined,
  });
}

/** A task's newest `last` log lines, oldest first; an unknown id is a NOT_FOUND, as everywhere else. */
export async function readLogs(api: ApiClient, id: string, last = DEFAULT_LOG_LINES): Promise<CliLogLine[]> {
  const { task } = await api.request(logsQuery(last), { id });
  if (!task) throw new CliError(`No task with id "${id}"`, ExitCode.usage, 'NOT_FOUND');
  return task.logs;
}
