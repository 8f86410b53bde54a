import { readdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTaskDefinition, type AnyTaskDefinition } from '../task-definition.js';
import { taskShapeOf } from './task-shape.js';

/** A kind as loaded: its definition and the file it came from, which a worker thread loads again. */
export interface LoadedTaskKind {
  definition: AnyTaskDefinition;
  file: URL;
}

/** snake_case: what jobs, keys, metrics and `createTask(kind:)` carry. */
const KIND_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** A file that is a kind: source under tsx and Vitest, compiled JavaScript under dist/. */
function isKindFile(name: string, extension: string): boolean {
  return (
    name.endsWith(extension) &&
    !name.endsWith(`.d${extension}`) &&
    !name.endsWith(`.test${extension}`) &&
    !name.startsWith('.')
  );
}

/** A kind's file as messages name it: from the working folder. */
export function shown(file: URL): string {
  return relative(process.cwd(), fileURLToPath(file)) || fileURLToPath(file);
}

/**
 * Every kind of `folder`: each file's default export. A file that does not load, exports no
 * definition, names a kind as another does, or declares a shape the API cannot serve stops the
 * start, with the file and the field named.
 */
export async function loadTaskKinds(folder: URL, extension: '.ts' | '.js'): Promise<LoadedTaskKind[]> {
  const path = fileURLToPath(folder);
  const names = (await readdir(path)).filter((name) => isKindFile(name, extension)).sort();
  const kinds: LoadedTaskKind[] = [];
  const fileOf = new Map<string, URL>();
  for (const name of names) {
    const file = new URL(name, folder);
    let exported: unknown;
    try {
      exported = ((await import(file.href)) as { default?: unknown }).default;
    } catch (error) {
      throw new Error(`task kind ${shown(file)} does not load: ${(error as Error).message}`, { cause: error });
    }
    if (!isTaskDefinition(exported)) {
      throw new Error(`task kind ${shown(file)}: its default export must be defineTask({...}) from 'task-service'`);
    }
    const kind = exported.name;
    if (!KIND_NAME.test(kind)) {
      throw new Error(`task kind ${shown(file)}: name "${kind}" must be snake_case, such as word_count_task`);
    }
    if (exported.instant && exported.isolation === 'thread') {
      throw new Error(
        `task kind ${shown(file)}: an instant kind runs inline; leave out instant or isolation: 'thread'`,
      );
    }
    const other = fileOf.get(kind);
    if (other) throw new Error(`task kinds ${shown(other)} and ${shown(file)} are both named "${kind}"`);
    try {
      taskShapeOf(exported);
    } catch (error) {
      throw new Error(`task kind ${shown(file)}: ${(error as Error).message}`, { cause: error });
    }
    fileOf.set(kind, file);
    kinds.push({ definition: exported, file });
  }
  if (kinds.length === 0) throw new Error(`no task kinds in ${shown(folder)}: each file there defines one`);
  return kinds;
}
