import type { AnyTaskDefinition } from '../task-definition.js';
import { loadTaskKinds, shown, type LoadedTaskKind } from './load-task-kinds.js';

/**
 * Every kind of task the service runs: one file each in the project's `tasks/` folder, next to
 * this code (`dist/tasks/` when it runs compiled). Loaded once, as this module is: a kind is code,
 * like an import, so adding a file there is all it takes.
 */
const ownExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const loaded: readonly LoadedTaskKind[] = await loadTaskKinds(new URL('../../tasks/', import.meta.url), ownExtension);

export type TaskKind = AnyTaskDefinition;

export const taskKinds: readonly TaskKind[] = loaded.map((kind) => kind.definition);

/** Kind names come from clients and from jobs: a Map, so that `__proto__` is just an unknown name. */
const byName: ReadonlyMap<string, LoadedTaskKind> = new Map(loaded.map((kind) => [kind.definition.name, kind]));

export function taskKindNamed(name: string): TaskKind | undefined {
  return byName.get(name)?.definition;
}

/** The file a kind was loaded from, for a worker thread to load it again. */
export function taskKindFile(name: string): URL | undefined {
  return byName.get(name)?.file;
}

/** Runs `derive` on a kind; its error names the kind's file, so that a start that fails says where. */
export function fromKindFile<T>(kind: TaskKind, derive: () => T): T {
  try {
    return derive();
  } catch (error) {
    const file = taskKindFile(kind.name);
    throw new Error(`task kind ${file ? shown(file) : kind.name}: ${(error as Error).message}`, { cause: error });
  }
}
