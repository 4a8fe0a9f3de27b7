CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`start` text NOT NULL,
	`end` text NOT NULL,
	`local_date` text NOT NULL,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`note` text,
	`cancel_reason` text,
	`token_id` text,
	`booked_by` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `appointments_branch_date` ON `appointments` (`branch_id`,`local_date`);--> statement-breakpoint
CREATE INDEX `appointments_doctor_date` ON `appointments` (`doctor_id`,`local_date`);--> statement-breakpoint
CREATE INDEX `appointments_patient` ON `appointments` (`patient_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_doctor_slot` ON `appointments` (`doctor_id`,`start`) WHERE status IN ('booked', 'checked_in', 'completed');--> statement-breakpoint
CREATE TABLE `branch_holidays` (
	`branch_id` text NOT NULL,
	`date` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`branch_id`, `date`)
);
--> statement-breakpoint
CREATE TABLE `doctor_exceptions` (
	`doctor_id` text NOT NULL,
	`branch_id` text NOT NULL,
	`date` text NOT NULL,
	`kind` text NOT NULL,
	`start` text NOT NULL,
	`end` text NOT NULL,
	`note` text,
	PRIMARY KEY(`doctor_id`, `date`, `kind`, `start`)
);
--> statement-breakpoint
CREATE TABLE `doctor_sessions` (
	`doctor_id` text NOT NULL,
	`branch_id` text NOT NULL,
	`weekday` integer NOT NULL,
	`start` text NOT NULL,
	`end` text NOT NULL,
	`walk_in_allowance` integer NOT NULL,
	PRIMARY KEY(`doctor_id`, `weekday`, `start`)
);
--> statement-breakpoint
CREATE TABLE `doctors` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`name` text NOT NULL,
	`specialty` text NOT NULL,
	`registration_number` text NOT NULL,
	`slot_minutes` integer NOT NULL,
	`fee_paise` integer NOT NULL,
	`currency` text NOT NULL,
	`languages` text NOT NULL,
	`user_id` text,
	`active` integer NOT NULL,
	`calendar_token_hash` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `doctors_branch` ON `doctors` (`branch_id`);--> statement-breakpoint
CREATE INDEX `doctors_user` ON `doctors` (`user_id`);--> statement-breakpoint
CREATE TABLE `followups` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`due_date` text NOT NULL,
	`note` text,
	`status` text NOT NULL,
	`appointment_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `followups_branch_due` ON `followups` (`branch_id`,`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `followups_patient` ON `followups` (`patient_id`);--> statement-breakpoint
CREATE TABLE `queue_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`date` text NOT NULL,
	`number` integer NOT NULL,
	`patient_id` text NOT NULL,
	`appointment_id` text,
	`kind` text NOT NULL,
	`priority` text NOT NULL,
	`state` text NOT NULL,
	`issued_at` text NOT NULL,
	`called_at` text,
	`started_at` text,
	`completed_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `queue_tokens_number` ON `queue_tokens` (`doctor_id`,`date`,`number`);--> statement-breakpoint
CREATE INDEX `queue_tokens_branch_date` ON `queue_tokens` (`branch_id`,`date`);