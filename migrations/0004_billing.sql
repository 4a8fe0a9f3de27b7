CREATE TABLE `billing_policies` (
	`branch_id` text PRIMARY KEY NOT NULL,
	`refundable_until_hours` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`number` text NOT NULL,
	`lines` text NOT NULL,
	`total` integer NOT NULL,
	`reason` text NOT NULL,
	`business_date` text NOT NULL,
	`issued_at` text NOT NULL,
	`issued_by` text
);
--> statement-breakpoint
CREATE TABLE `day_closes` (
	`branch_id` text NOT NULL,
	`user_id` text NOT NULL,
	`business_date` text NOT NULL,
	`expected` text NOT NULL,
	`counted_cash` integer NOT NULL,
	`denominations` text NOT NULL,
	`variance` integer NOT NULL,
	`reason` text,
	`closed_at` text NOT NULL,
	PRIMARY KEY(`branch_id`, `user_id`, `business_date`)
);
--> statement-breakpoint
CREATE TABLE `deposit_rules` (
	`branch_id` text NOT NULL,
	`doctor_key` text NOT NULL,
	`mode` text NOT NULL,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY(`branch_id`, `doctor_key`, `mode`)
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`number` text NOT NULL,
	`patient_id` text NOT NULL,
	`appointment_id` text,
	`doctor_id` text,
	`document_type` text NOT NULL,
	`lines` text NOT NULL,
	`totals` text NOT NULL,
	`total` integer NOT NULL,
	`credited` integer NOT NULL,
	`paid` integer NOT NULL,
	`refunded` integer NOT NULL,
	`business_date` text NOT NULL,
	`issued_at` text NOT NULL,
	`issued_by` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number` ON `invoices` (`branch_id`,`number`);--> statement-breakpoint
CREATE INDEX `invoices_patient` ON `invoices` (`patient_id`);--> statement-breakpoint
CREATE INDEX `invoices_appointment` ON `invoices` (`appointment_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`receipt_number` text NOT NULL,
	`kind` text NOT NULL,
	`patient_id` text NOT NULL,
	`invoice_id` text,
	`appointment_id` text,
	`amount` integer NOT NULL,
	`refunded` integer NOT NULL,
	`method` text NOT NULL,
	`reference` text,
	`upi_vpa` text,
	`card_last4` text,
	`card_auth_code` text,
	`gateway_name` text,
	`gateway_payment_id` text,
	`business_date` text NOT NULL,
	`collected_by` text,
	`created_at` text NOT NULL,
	`print_count` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_receipt` ON `payments` (`branch_id`,`receipt_number`);--> statement-breakpoint
CREATE INDEX `payments_branch_date` ON `payments` (`branch_id`,`business_date`);--> statement-breakpoint
CREATE INDEX `payments_invoice` ON `payments` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payments_appointment` ON `payments` (`appointment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_gateway` ON `payments` (`gateway_name`,`gateway_payment_id`);--> statement-breakpoint
CREATE TABLE `price_items` (
	`branch_id` text NOT NULL,
	`item_code` text NOT NULL,
	`effective_from` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`sac_hsn` text,
	`unit_price` integer NOT NULL,
	`tax_rate_bp` integer NOT NULL,
	`exempt` integer NOT NULL,
	`doctor_id` text,
	`retired` integer NOT NULL,
	PRIMARY KEY(`branch_id`, `item_code`, `effective_from`)
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`branch_id` text NOT NULL,
	`payment_id` text NOT NULL,
	`receipt_number` text NOT NULL,
	`amount` integer NOT NULL,
	`method` text NOT NULL,
	`reason` text NOT NULL,
	`policy` text NOT NULL,
	`approved_by` text,
	`business_date` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refunds_receipt` ON `refunds` (`branch_id`,`receipt_number`);--> statement-breakpoint
CREATE INDEX `refunds_branch_date` ON `refunds` (`branch_id`,`business_date`);