#!/usr/bin/env node
// `npx task-service` in a clone of the project (after `npm install`): runs the command line's
// TypeScript through tsx, as `npm start` runs the service.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
