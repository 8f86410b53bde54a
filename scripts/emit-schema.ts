/** Writes schema.graphql from the code (`npm run schema`). A test fails when the two differ. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PubSub } from 'type-graphql';
import { projectRoot } from '../core/project-root.js';
import { buildTaskSchema, printTaskSchema } from '../src/graphql/schema.js';

// Printing needs no Redis: this pub/sub only satisfies buildSchema and refuses any use.
const printOnly: PubSub = {
  publish: () => {
    throw new Error('not for use: the schema is only printed');
  },
  subscribe: () => {
    throw new Error('not for use: the schema is only printed');
  },
};

const path = join(projectRoot(import.meta.url), 'schema.graphql');
writeFileSync(path, printTaskSchema(await buildTaskSchema(printOnly)));
process.stdout.write(`wrote ${path}\n`);
