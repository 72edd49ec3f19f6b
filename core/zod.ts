/**
 * zod's mini API with its English error messages configured. zod/mini ships without a locale (the
 * full `zod` import sets one as a side effect), so a message such as "expected number, received
 * string" appeared only when some other module happened to import full zod first: the CLI, which
 * loads its commands on demand, and each Lambda bundle would word the same error differently.
 * Import zod through here.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

export * from 'zod/mini';
