CREATE TABLE `announcements` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`show_until` text,
	`posted_by` text,
	`posted_at` text NOT NULL,
	`withdrawn_at` text
);
--> statement-breakpoint
CREATE INDEX `announcements_posted` ON `announcements` (`posted_at`);