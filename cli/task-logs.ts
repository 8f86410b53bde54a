import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, visit } from 'graphql';
import type { ApiClient } from './api-client.js';
import { CliError, ExitCode } from './errors.js';
import type { CliTaskLogsQuery, CliTaskLogsQueryVariables } from './graphql/generated/graphql.js';
import { TaskLogsQuery } from './graphql/operations.js';
import { withoutDocumentId } from './persisted-documents.js';

export type CliLogLine = NonNullable<CliTaskLogsQuery['task']>['logs'][number];

export const DEFAULT_LOG_LINES = 100;

/**
 * The log query asking for `last` lines, written into the document as the cost limit wants it. Up
 * to the default it is the generated document, which the API serves by id (TRUSTED_DOCUMENTS=only
 * runs nothing else); more lines need a document of their own, sent as text.
 */
function logsQuery(last: number): TypedDocumentNode<CliTaskLogsQuery, CliTaskLogsQueryVariables> {
  if (last >= 1 && last <= DEFAULT_LOG_LINES) return TaskLogsQuery;
  return withoutDocumentId(
    visit(TaskLogsQuery, {
      Argument: (argument) =>
        argument.name.value === 'last' ? { ...argument, value: { kind: Kind.INT, value: String(last) } } : undefined,
    }),
  );
}

/** A task's newest `last` log lines, oldest first; an unknown id is a NOT_FOUND, as everywhere else. */
export async function readLogs(api: ApiClient, id: string, last = DEFAULT_LOG_LINES): Promise<CliLogLine[]> {
  const { task } = await api.request(logsQuery(last), { id });
  if (!task) throw new CliError(`No task with id "${id}"`, ExitCode.usage, 'NOT_FOUND');
  return task.logs.slice(-last);
}
