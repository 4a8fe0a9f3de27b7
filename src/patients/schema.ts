// The patient registry's read table.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const patients = sqliteTable(
  'patients',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    mrn: text('mrn').notNull(),
    name: text('name').notNull(),
    /** lower-cased, accents and punctuation folded: for search and duplicate checks */
    nameKey: text('name_key').notNull(),
    phone: text('phone').notNull(), // E.164, e.g. +919876543210
    sex: text('sex', { enum: ['male', 'female', 'other'] }).notNull(),
    dateOfBirth: text('date_of_birth'),
    ageYears: integer('age_years'),
    ageRecordedOn: text('age_recorded_on'),
    email: text('email'),
    address: text('address'),
    abhaNumber: text('abha_number'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('patients_branch_mrn').on(t.branchId, t.mrn),
    index('patients_branch_phone').on(t.branchId, t.phone),
    index('patients_branch_name').on(t.branchId, t.nameKey),
  ],
);
