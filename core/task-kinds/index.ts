import type { AnyTaskDefinition } from '../task-definition.js';
import { loadTaskKinds, type LoadedTaskKind } from './load-task-kinds.js';

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
