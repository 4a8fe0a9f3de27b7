CREATE TABLE `sync_branches` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`code` text NOT NULL,
	`token_hash` text,
	`token_prefix` text,
	`origin` text,
	`joined_branch_id` text,
	`created_at` text NOT NULL,
	`token_issued_at` text,
	`joined_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_branches_code_unique` ON `sync_branches` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_branches_token_hash_unique` ON `sync_branches` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_branches_origin_unique` ON `sync_branches` (`origin`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_branches_joined_branch_id_unique` ON `sync_branches` (`joined_branch_id`);--> statement-breakpoint
CREATE TABLE `sync_peers` (
	`origin` text PRIMARY KEY NOT NULL,
	`registration_id` text NOT NULL,
	`head_seq` integer NOT NULL,
	`head_at` text,
	`last_push_at` text,
	`last_appended` integer NOT NULL,
	`batches_accepted` integer NOT NULL,
	`batches_refused` integer NOT NULL,
	`last_error_code` text,
	`last_error` text,
	`last_error_at` text,
	`flagged_reason` text,
	`flagged_at` text
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text NOT NULL
);
