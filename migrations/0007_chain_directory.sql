CREATE TABLE `chain_doctors` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`name` text NOT NULL,
	`specialty` text NOT NULL,
	`qualifications` text,
	`registration_number` text,
	`branch_codes` text NOT NULL,
	`visiting` text,
	`listed_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`delisted_at` text
);
