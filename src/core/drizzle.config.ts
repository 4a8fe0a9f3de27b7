// drizzle-kit generates the numbered SQL files in migrations/ from these schemas:
//   bunx drizzle-kit generate --config src/core/drizzle.config.ts --name <what_changed>
// Review each file; never edit one after it has landed.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/core/schema.ts', './src/org/schema.ts', './src/auth/schema.ts', './src/patients/schema.ts', './src/scheduling/schema.ts', './src/billing/schema.ts', './src/sync/schema.ts', './src/chain/schema.ts'],
  out: './migrations',
});
