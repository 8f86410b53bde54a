import { buildClient, clientBuildIsStale } from '../../scripts/client-build.js';
import { projectDir } from './stack.js';

/** The API serves the built bundle and the browser tests drive it: build it once, when stale. */
export default async function setup() {
  if (clientBuildIsStale(projectDir)) await buildClient(projectDir);
}
