import type { TaskKind } from './use-task-kinds';

/**
 * A kind's sentence from its definition, `code` in backquotes shown as code, and a note when it runs
 * in a thread of its own.
 */
export function KindDescription({ kind }: { kind: Pick<TaskKind, 'description' | 'isolation'> }) {
  const parts = kind.description.split('`');
  return (
    <p className="kind-description muted">
      {parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code key={i}>{part}</code> : part))}
      {kind.isolation === 'THREAD' && <span className="kind-isolation"> Runs in a worker thread.</span>}
    </p>
  );
}
