import type { GraphQLResolveInfo } from 'graphql';
import type { AdmittedField, AdmittedOperation } from '../tasks/admitted-operation.js';
import type { Caller } from '../tasks/caller.js';
import type { ScheduleService } from '../tasks/schedule-service.js';
import type { TrustedDocument } from './trusted-documents.js';
import type { TaskService } from '../tasks/task-service.js';

/** What every resolver gets, over HTTP and over WebSocket alike. */
export interface Context {
  tasks: TaskService;
  schedules: ScheduleService;
  caller: Caller;
  /** The manifest's document an HTTP request names by its id (http/trusted-documents-plugin.ts). */
  trustedDocument?: TrustedDocument;
  /** The operation as admission admitted it (graphql/admission.ts), set for each operation that runs. */
  admitted?: AdmittedOperation;
}

/** What admission settled for the root field being resolved. */
export function admittedField(context: Context, info: GraphQLResolveInfo): AdmittedField | undefined {
  return context.admitted?.field(String(info.path.key));
}
