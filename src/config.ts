import { z } from 'zod';
import { commonConfig, integer, loadConfig } from '../core/config.js';

export const apiConfigShape = {
  ...commonConfig,
  PORT: integer(0, 65_535, 4000),
  HOST: z.string().min(1, { error: 'must not be empty' }).default('0.0.0.0'),
  /** Seconds a finished task is kept; stored with each task when it is created. */
  RESULT_TTL: integer(1, 31 * 24 * 3600, 3600),
};

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(env: NodeJS.ProcessEnv) {
  return loadConfig(apiConfigShape, env);
}
