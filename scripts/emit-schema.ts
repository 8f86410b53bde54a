/** Writes schema.graphql from the code (`npm run schema`). A test fails when the two differ. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { buildTaskSchema, printTaskSchema } from '../src/graphql/schema.js';

const path = join(projectRoot(import.meta.url), 'schema.graphql');
writeFileSync(path, printTaskSchema(await buildTaskSchema()));
process.stdout.write(`wrote ${path}\n`);
