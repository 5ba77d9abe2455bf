CREATE TABLE `audit_context` (
	`id` integer PRIMARY KEY NOT NULL,
	`actor_id` text,
	`actor_type` text NOT NULL,
	`request_id` text
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` text NOT NULL,
	`actor_id` text,
	`actor_type` text NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`changes` text NOT NULL,
	`request_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_owner_seq_idx` ON `audit_log` (`owner_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_owner_entity_idx` ON `audit_log` (`owner_id`,`entity_type`,`entity_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_owner_type_idx` ON `audit_log` (`owner_id`,`entity_type`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_owner_action_idx` ON `audit_log` (`owner_id`,`action`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity_type`,`entity_id`);--> statement-breakpoint
CREATE TABLE `contact_tags` (
	`owner_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`contact_id`, `tag_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_tags_owner_tag_idx` ON `contact_tags` (`owner_id`,`tag_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `contact_tags_tag_idx` ON `contact_tags` (`tag_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`owner_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text,
	`email` text,
	`phone` text,
	`phone_e164` text,
	`phone_search` text,
	`company` text,
	`notes` text,
	`address_line1` text,
	`address_line2` text,
	`postal_code` text,
	`city` text,
	`region` text,
	`country` text,
	`latitude` real,
	`longitude` real,
	`source` text DEFAULT 'MANUAL' NOT NULL,
	`birthday` text,
	`sort_name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_id_unique` ON `contacts` (`id`);--> statement-breakpoint
CREATE INDEX `contacts_owner_name_idx` ON `contacts` (`owner_id`,`sort_name`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_owner_created_idx` ON `contacts` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_owner_updated_idx` ON `contacts` (`owner_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_owner_email_idx` ON `contacts` (`owner_id`,`email`);--> statement-breakpoint
CREATE INDEX `contacts_owner_phone_idx` ON `contacts` (`owner_id`,`phone_e164`);--> statement-breakpoint
CREATE TABLE `duplicate_pairs` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_a_id` text NOT NULL,
	`contact_b_id` text NOT NULL,
	`reason` text NOT NULL,
	`score` real NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_a_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_b_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `duplicate_pairs_pair_unique` ON `duplicate_pairs` (`contact_a_id`,`contact_b_id`);--> statement-breakpoint
CREATE INDEX `duplicate_pairs_owner_status_idx` ON `duplicate_pairs` (`owner_id`,`status`,`score`,`id`);--> statement-breakpoint
CREATE INDEX `duplicate_pairs_b_idx` ON `duplicate_pairs` (`contact_b_id`);--> statement-breakpoint
CREATE TABLE `exports` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`entity` text NOT NULL,
	`format` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`row_count` integer,
	`size` integer,
	`r2_key` text,
	`error` text,
	`expires_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `exports_owner_id_idx` ON `exports` (`owner_id`,`id`);--> statement-breakpoint
CREATE INDEX `exports_expires_idx` ON `exports` (`expires_at`);--> statement-breakpoint
CREATE TABLE `file_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_id` text,
	`session_id` text,
	`name` text NOT NULL,
	`content_type` text,
	`r2_key` text NOT NULL,
	`r2_upload_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "file_uploads_one_parent" CHECK(("file_uploads"."contact_id" IS NULL) <> ("file_uploads"."session_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `file_uploads_owner_idx` ON `file_uploads` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `file_uploads_expires_idx` ON `file_uploads` (`expires_at`);--> statement-breakpoint
CREATE INDEX `file_uploads_contact_idx` ON `file_uploads` (`contact_id`);--> statement-breakpoint
CREATE INDEX `file_uploads_session_idx` ON `file_uploads` (`session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `file_uploads_r2_key_unique` ON `file_uploads` (`r2_key`);--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_id` text,
	`session_id` text,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`r2_key` text NOT NULL,
	`sha256` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "files_one_parent" CHECK(("files"."contact_id" IS NULL) <> ("files"."session_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `files_r2_key_unique` ON `files` (`r2_key`);--> statement-breakpoint
CREATE INDEX `files_owner_contact_idx` ON `files` (`owner_id`,`contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `files_owner_session_idx` ON `files` (`owner_id`,`session_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `files_contact_idx` ON `files` (`contact_id`);--> statement-breakpoint
CREATE INDEX `files_session_idx` ON `files` (`session_id`);--> statement-breakpoint
CREATE TABLE `providers` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`role` text,
	`email` text,
	`phone` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `providers_owner_name_idx` ON `providers` (`owner_id`,`name`,`id`);--> statement-breakpoint
CREATE TABLE `session_contacts` (
	`owner_id` text NOT NULL,
	`session_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`role` text DEFAULT 'CLIENT' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`session_id`, `contact_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_contacts_owner_contact_idx` ON `session_contacts` (`owner_id`,`contact_id`,`session_id`);--> statement-breakpoint
CREATE INDEX `session_contacts_contact_idx` ON `session_contacts` (`contact_id`);--> statement-breakpoint
CREATE TABLE `session_providers` (
	`owner_id` text NOT NULL,
	`session_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`role` text,
	`fee_amount` integer,
	`fee_currency` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`session_id`, `provider_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_providers_provider_idx` ON `session_providers` (`provider_id`);--> statement-breakpoint
CREATE TABLE `session_tags` (
	`owner_id` text NOT NULL,
	`session_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`session_id`, `tag_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_tags_owner_tag_idx` ON `session_tags` (`owner_id`,`tag_id`,`session_id`);--> statement-breakpoint
CREATE INDEX `session_tags_tag_idx` ON `session_tags` (`tag_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`title` text NOT NULL,
	`type` text DEFAULT 'OTHER' NOT NULL,
	`status` text DEFAULT 'LEAD' NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`location` text,
	`price_amount` integer,
	`price_currency` text,
	`notes` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_owner_starts_idx` ON `sessions` (`owner_id`,`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `sessions_owner_status_starts_idx` ON `sessions` (`owner_id`,`status`,`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `sessions_owner_created_idx` ON `sessions` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`color` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_owner_name_unique` ON `tags` (`owner_id`,`name_key`);