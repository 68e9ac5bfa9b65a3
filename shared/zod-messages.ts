/**
 * zod/mini carries no messages of its own ("Invalid input" for everything): zod's English ones, so every
 * error reads as it did with zod. Imported for this side effect by each module that declares schemas, so the
 * messages never depend on which module happened to load first.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());
