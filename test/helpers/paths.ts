import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A file of the public data sets kept beside a checkout, in `../shared/datasets` (absent on a user's fresh clone). */
export function sharedDataset(...parts: string[]): string {
  return join(ROOT, '..', 'shared', 'datasets', ...parts);
}
