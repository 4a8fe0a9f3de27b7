// Request schema pieces shared by the REST routes.
import { t } from 'elysia';

/**
 * A whole JSON number. Elysia's t.Integer also accepts numeric strings ("100", "1.00" as 1,
 * "1e2"), which for money would turn a rupee string into paise: a number with multipleOf 1
 * does not.
 */
export const WholeNumber = (opts: { minimum?: number; maximum?: number; description?: string } = {}) => t.Number({ ...opts, multipleOf: 1 });
