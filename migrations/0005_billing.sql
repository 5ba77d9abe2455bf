CREATE TABLE `client_access_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`quote_id` text,
	`invoice_id` text,
	`token_hash` text NOT NULL,
	`token_sealed` text NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`quote_id`) REFERENCES `quotes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "client_access_tokens_scope" CHECK("client_access_tokens"."quote_id" IS NULL OR "client_access_tokens"."invoice_id" IS NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_access_tokens_hash_unique` ON `client_access_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `client_access_tokens_contact_idx` ON `client_access_tokens` (`contact_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `client_access_tokens_quote_idx` ON `client_access_tokens` (`quote_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `client_access_tokens_invoice_idx` ON `client_access_tokens` (`invoice_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `client_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`direction` text NOT NULL,
	`body` text NOT NULL,
	`access_token_id` text,
	`read_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`access_token_id`) REFERENCES `client_access_tokens`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `client_messages_contact_idx` ON `client_messages` (`contact_id`,`id`);--> statement-breakpoint
CREATE INDEX `client_messages_token_idx` ON `client_messages` (`access_token_id`);--> statement-breakpoint
CREATE INDEX `client_messages_owner_unread_idx` ON `client_messages` (`owner_id`,`contact_id`) WHERE "client_messages"."direction" = 'CLIENT' AND "client_messages"."read_at" IS NULL;--> statement-breakpoint
CREATE TABLE `document_counters` (
	`user_id` text NOT NULL,
	`series` text NOT NULL,
	`year` integer NOT NULL,
	`last_number` integer NOT NULL,
	PRIMARY KEY(`user_id`, `series`, `year`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `document_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`quote_id` text,
	`invoice_id` text,
	`kind` text DEFAULT 'SEND' NOT NULL,
	`to_email` text NOT NULL,
	`status` text DEFAULT 'QUEUED' NOT NULL,
	`version` integer NOT NULL,
	`pdf_key` text,
	`error` text,
	`queued_at` integer NOT NULL,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`quote_id`) REFERENCES `quotes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "document_deliveries_one_document" CHECK(("document_deliveries"."quote_id" IS NULL) <> ("document_deliveries"."invoice_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `document_deliveries_quote_idx` ON `document_deliveries` (`quote_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `document_deliveries_invoice_idx` ON `document_deliveries` (`invoice_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `document_deliveries_queued_idx` ON `document_deliveries` (`queued_at`) WHERE "document_deliveries"."status" = 'QUEUED';--> statement-breakpoint
CREATE TABLE `document_pdfs` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`quote_id` text,
	`invoice_id` text,
	`version` integer NOT NULL,
	`content_hash` text NOT NULL,
	`r2_key` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`quote_id`) REFERENCES `quotes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "document_pdfs_one_document" CHECK(("document_pdfs"."quote_id" IS NULL) <> ("document_pdfs"."invoice_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `document_pdfs_quote_hash_unique` ON `document_pdfs` (`quote_id`,`content_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `document_pdfs_invoice_hash_unique` ON `document_pdfs` (`invoice_id`,`content_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `document_pdfs_r2_key_unique` ON `document_pdfs` (`r2_key`);--> statement-breakpoint
CREATE TABLE `email_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_templates_owner_kind_unique` ON `email_templates` (`owner_id`,`kind`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`number` text NOT NULL,
	`year` integer NOT NULL,
	`sequence` integer NOT NULL,
	`contact_id` text NOT NULL,
	`session_id` text,
	`currency` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`notes` text,
	`items` text NOT NULL,
	`subtotal` integer NOT NULL,
	`discount_total` integer DEFAULT 0 NOT NULL,
	`tax_total` integer NOT NULL,
	`total` integer NOT NULL,
	`parties` text,
	`version` integer DEFAULT 1 NOT NULL,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`status` text DEFAULT 'DRAFT' NOT NULL,
	`quote_id` text,
	`issue_date` text NOT NULL,
	`due_date` text,
	`amount_paid` integer DEFAULT 0 NOT NULL,
	`paid_at` integer,
	`overdue_at` integer,
	`cancelled_at` integer,
	`last_reminder_at` integer,
	`reminder_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`quote_id`) REFERENCES `quotes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_owner_number_unique` ON `invoices` (`owner_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_quote_unique` ON `invoices` (`quote_id`);--> statement-breakpoint
CREATE INDEX `invoices_owner_created_idx` ON `invoices` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_owner_status_issue_idx` ON `invoices` (`owner_id`,`status`,`issue_date`);--> statement-breakpoint
CREATE INDEX `invoices_owner_issue_idx` ON `invoices` (`owner_id`,`issue_date`);--> statement-breakpoint
CREATE INDEX `invoices_due_idx` ON `invoices` (`due_date`) WHERE "invoices"."status" IN ('SENT', 'OVERDUE');--> statement-breakpoint
CREATE INDEX `invoices_contact_idx` ON `invoices` (`contact_id`);--> statement-breakpoint
CREATE INDEX `invoices_session_idx` ON `invoices` (`session_id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`method` text NOT NULL,
	`paid_at` integer NOT NULL,
	`note` text,
	`idempotency_key` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `payments_owner_paid_idx` ON `payments` (`owner_id`,`paid_at`);--> statement-breakpoint
CREATE INDEX `payments_invoice_idx` ON `payments` (`invoice_id`,`paid_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_idempotency_unique` ON `payments` (`invoice_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `quotes` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`number` text NOT NULL,
	`year` integer NOT NULL,
	`sequence` integer NOT NULL,
	`contact_id` text NOT NULL,
	`session_id` text,
	`currency` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`notes` text,
	`items` text NOT NULL,
	`subtotal` integer NOT NULL,
	`discount_total` integer DEFAULT 0 NOT NULL,
	`tax_total` integer NOT NULL,
	`total` integer NOT NULL,
	`parties` text,
	`version` integer DEFAULT 1 NOT NULL,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`status` text DEFAULT 'DRAFT' NOT NULL,
	`valid_until` text,
	`accepted_at` integer,
	`rejected_at` integer,
	`rejection_reason` text,
	`expired_at` integer,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quotes_owner_number_unique` ON `quotes` (`owner_id`,`number`);--> statement-breakpoint
CREATE INDEX `quotes_owner_created_idx` ON `quotes` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `quotes_owner_sent_idx` ON `quotes` (`owner_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `quotes_expiry_idx` ON `quotes` (`valid_until`) WHERE "quotes"."status" = 'SENT';--> statement-breakpoint
CREATE INDEX `quotes_contact_idx` ON `quotes` (`contact_id`);--> statement-breakpoint
CREATE INDEX `quotes_session_idx` ON `quotes` (`session_id`);--> statement-breakpoint
CREATE TABLE `scheduled_email_files` (
	`owner_id` text NOT NULL,
	`scheduled_email_id` text NOT NULL,
	`file_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`scheduled_email_id`, `file_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`scheduled_email_id`) REFERENCES `scheduled_emails`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`file_id`) REFERENCES `files`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scheduled_email_files_file_idx` ON `scheduled_email_files` (`file_id`);--> statement-breakpoint
CREATE TABLE `scheduled_emails` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`send_at` integer NOT NULL,
	`timezone` text NOT NULL,
	`repeat` text DEFAULT 'NONE' NOT NULL,
	`anniversary` text,
	`status` text DEFAULT 'SCHEDULED' NOT NULL,
	`occurrence` integer DEFAULT 0 NOT NULL,
	`queued_at` integer,
	`last_sent_at` integer,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scheduled_emails_owner_send_idx` ON `scheduled_emails` (`owner_id`,`send_at`,`id`);--> statement-breakpoint
CREATE INDEX `scheduled_emails_due_idx` ON `scheduled_emails` (`send_at`) WHERE "scheduled_emails"."status" = 'SCHEDULED';--> statement-breakpoint
CREATE INDEX `scheduled_emails_queued_idx` ON `scheduled_emails` (`queued_at`) WHERE "scheduled_emails"."status" = 'QUEUED';--> statement-breakpoint
CREATE INDEX `scheduled_emails_contact_idx` ON `scheduled_emails` (`contact_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `logo_key` text;--> statement-breakpoint
ALTER TABLE `users` ADD `logo_content_type` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payment_details` text;--> statement-breakpoint
-- Audit triggers generated by `npm run db:audit-sql` from shared/db/audit-spec.ts.
DROP TRIGGER IF EXISTS "audit_contacts_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_contacts_insert" AFTER INSERT ON "contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'contact', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('firstName', NEW."first_name", 'lastName', NEW."last_name", 'email', NEW."email", 'phone', NEW."phone", 'phoneE164', NEW."phone_e164", 'company', NEW."company", 'notes', NEW."notes", 'addressLine1', NEW."address_line1", 'addressLine2', NEW."address_line2", 'postalCode', NEW."postal_code", 'city', NEW."city", 'region', NEW."region", 'country', NEW."country", 'latitude', NEW."latitude", 'longitude', NEW."longitude", 'source', NEW."source", 'birthday', NEW."birthday")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_contacts_update";
--> statement-breakpoint
CREATE TRIGGER "audit_contacts_update" AFTER UPDATE ON "contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('firstName', OLD."first_name", 'lastName', OLD."last_name", 'email', OLD."email", 'phone', OLD."phone", 'phoneE164', OLD."phone_e164", 'company', OLD."company", 'notes', OLD."notes", 'addressLine1', OLD."address_line1", 'addressLine2', OLD."address_line2", 'postalCode', OLD."postal_code", 'city', OLD."city", 'region', OLD."region", 'country', OLD."country", 'latitude', OLD."latitude", 'longitude', OLD."longitude", 'source', OLD."source", 'birthday', OLD."birthday")) o JOIN json_each(json_object('firstName', NEW."first_name", 'lastName', NEW."last_name", 'email', NEW."email", 'phone', NEW."phone", 'phoneE164', NEW."phone_e164", 'company', NEW."company", 'notes', NEW."notes", 'addressLine1', NEW."address_line1", 'addressLine2', NEW."address_line2", 'postalCode', NEW."postal_code", 'city', NEW."city", 'region', NEW."region", 'country', NEW."country", 'latitude', NEW."latitude", 'longitude', NEW."longitude", 'source', NEW."source", 'birthday', NEW."birthday")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_contacts_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_contacts_delete" AFTER DELETE ON "contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'contact', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('firstName', OLD."first_name", 'lastName', OLD."last_name", 'email', OLD."email", 'phone', OLD."phone", 'phoneE164', OLD."phone_e164", 'company', OLD."company", 'notes', OLD."notes", 'addressLine1', OLD."address_line1", 'addressLine2', OLD."address_line2", 'postalCode', OLD."postal_code", 'city', OLD."city", 'region', OLD."region", 'country', OLD."country", 'latitude', OLD."latitude", 'longitude', OLD."longitude", 'source', OLD."source", 'birthday', OLD."birthday")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_tags_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_tags_insert" AFTER INSERT ON "tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'tag', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('name', NEW."name", 'color', NEW."color")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_tags_update";
--> statement-breakpoint
CREATE TRIGGER "audit_tags_update" AFTER UPDATE ON "tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'tag', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('name', OLD."name", 'color', OLD."color")) o JOIN json_each(json_object('name', NEW."name", 'color', NEW."color")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_tags_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_tags_delete" AFTER DELETE ON "tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'tag', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('name', OLD."name", 'color', OLD."color")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_sessions_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_sessions_insert" AFTER INSERT ON "sessions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'session', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('title', NEW."title", 'type', NEW."type", 'status', NEW."status", 'startsAt', NEW."starts_at", 'endsAt', NEW."ends_at", 'location', NEW."location", 'priceAmount', NEW."price_amount", 'priceCurrency', NEW."price_currency", 'notes', NEW."notes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_sessions_update";
--> statement-breakpoint
CREATE TRIGGER "audit_sessions_update" AFTER UPDATE ON "sessions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('title', OLD."title", 'type', OLD."type", 'status', OLD."status", 'startsAt', OLD."starts_at", 'endsAt', OLD."ends_at", 'location', OLD."location", 'priceAmount', OLD."price_amount", 'priceCurrency', OLD."price_currency", 'notes', OLD."notes")) o JOIN json_each(json_object('title', NEW."title", 'type', NEW."type", 'status', NEW."status", 'startsAt', NEW."starts_at", 'endsAt', NEW."ends_at", 'location', NEW."location", 'priceAmount', NEW."price_amount", 'priceCurrency', NEW."price_currency", 'notes', NEW."notes")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_sessions_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_sessions_delete" AFTER DELETE ON "sessions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'session', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('title', OLD."title", 'type', OLD."type", 'status', OLD."status", 'startsAt', OLD."starts_at", 'endsAt', OLD."ends_at", 'location', OLD."location", 'priceAmount', OLD."price_amount", 'priceCurrency', OLD."price_currency", 'notes', OLD."notes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_providers_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_providers_insert" AFTER INSERT ON "providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'provider', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('name', NEW."name", 'role', NEW."role", 'email', NEW."email", 'phone', NEW."phone")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_providers_update";
--> statement-breakpoint
CREATE TRIGGER "audit_providers_update" AFTER UPDATE ON "providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'provider', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('name', OLD."name", 'role', OLD."role", 'email', OLD."email", 'phone', OLD."phone")) o JOIN json_each(json_object('name', NEW."name", 'role', NEW."role", 'email', NEW."email", 'phone', NEW."phone")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_providers_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_providers_delete" AFTER DELETE ON "providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'provider', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('name', OLD."name", 'role', OLD."role", 'email', OLD."email", 'phone', OLD."phone")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_files_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_files_insert" AFTER INSERT ON "files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'file', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'name', NEW."name", 'contentType', NEW."content_type", 'size', NEW."size", 'r2Key', NEW."r2_key", 'sha256', NEW."sha256")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_files_update";
--> statement-breakpoint
CREATE TRIGGER "audit_files_update" AFTER UPDATE ON "files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'file', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'name', OLD."name", 'contentType', OLD."content_type", 'size', OLD."size", 'r2Key', OLD."r2_key", 'sha256', OLD."sha256")) o JOIN json_each(json_object('contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'name', NEW."name", 'contentType', NEW."content_type", 'size', NEW."size", 'r2Key', NEW."r2_key", 'sha256', NEW."sha256")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_files_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_files_delete" AFTER DELETE ON "files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'file', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'name', OLD."name", 'contentType', OLD."content_type", 'size', OLD."size", 'r2Key', OLD."r2_key", 'sha256', OLD."sha256")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_file_uploads_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_file_uploads_insert" AFTER INSERT ON "file_uploads" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'file_upload', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', CASE WHEN key IN ('r2UploadId') AND value IS NOT NULL THEN '[redacted]' ELSE value END)) FROM json_each(json_object('contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'name', NEW."name", 'contentType', NEW."content_type", 'r2Key', NEW."r2_key", 'r2UploadId', NEW."r2_upload_id", 'expiresAt', NEW."expires_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_file_uploads_update";
--> statement-breakpoint
CREATE TRIGGER "audit_file_uploads_update" AFTER UPDATE ON "file_uploads" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'file_upload', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', CASE WHEN o.key IN ('r2UploadId') AND o.value IS NOT NULL THEN '[redacted]' ELSE o.value END, 'after', CASE WHEN o.key IN ('r2UploadId') AND n.value IS NOT NULL THEN '[redacted]' ELSE n.value END))
      FROM json_each(json_object('contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'name', OLD."name", 'contentType', OLD."content_type", 'r2Key', OLD."r2_key", 'r2UploadId', OLD."r2_upload_id", 'expiresAt', OLD."expires_at")) o JOIN json_each(json_object('contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'name', NEW."name", 'contentType', NEW."content_type", 'r2Key', NEW."r2_key", 'r2UploadId', NEW."r2_upload_id", 'expiresAt', NEW."expires_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_file_uploads_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_file_uploads_delete" AFTER DELETE ON "file_uploads" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'file_upload', OLD.id, (SELECT json_group_object(key, json_object('before', CASE WHEN key IN ('r2UploadId') AND value IS NOT NULL THEN '[redacted]' ELSE value END, 'after', NULL)) FROM json_each(json_object('contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'name', OLD."name", 'contentType', OLD."content_type", 'r2Key', OLD."r2_key", 'r2UploadId', OLD."r2_upload_id", 'expiresAt', OLD."expires_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_duplicate_pairs_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_duplicate_pairs_insert" AFTER INSERT ON "duplicate_pairs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'duplicate_pair', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('contactAId', NEW."contact_a_id", 'contactBId', NEW."contact_b_id", 'reason', NEW."reason", 'score', NEW."score", 'status', NEW."status")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_duplicate_pairs_update";
--> statement-breakpoint
CREATE TRIGGER "audit_duplicate_pairs_update" AFTER UPDATE ON "duplicate_pairs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'duplicate_pair', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('contactAId', OLD."contact_a_id", 'contactBId', OLD."contact_b_id", 'reason', OLD."reason", 'score', OLD."score", 'status', OLD."status")) o JOIN json_each(json_object('contactAId', NEW."contact_a_id", 'contactBId', NEW."contact_b_id", 'reason', NEW."reason", 'score', NEW."score", 'status', NEW."status")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_duplicate_pairs_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_duplicate_pairs_delete" AFTER DELETE ON "duplicate_pairs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'duplicate_pair', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('contactAId', OLD."contact_a_id", 'contactBId', OLD."contact_b_id", 'reason', OLD."reason", 'score', OLD."score", 'status', OLD."status")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_exports_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_exports_insert" AFTER INSERT ON "exports" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'export', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('entity', NEW."entity", 'format', NEW."format", 'status', NEW."status", 'rowCount', NEW."row_count", 'size', NEW."size", 'r2Key', NEW."r2_key", 'error', NEW."error", 'expiresAt', NEW."expires_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_exports_update";
--> statement-breakpoint
CREATE TRIGGER "audit_exports_update" AFTER UPDATE ON "exports" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'export', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('entity', OLD."entity", 'format', OLD."format", 'status', OLD."status", 'rowCount', OLD."row_count", 'size', OLD."size", 'r2Key', OLD."r2_key", 'error', OLD."error", 'expiresAt', OLD."expires_at")) o JOIN json_each(json_object('entity', NEW."entity", 'format', NEW."format", 'status', NEW."status", 'rowCount', NEW."row_count", 'size', NEW."size", 'r2Key', NEW."r2_key", 'error', NEW."error", 'expiresAt', NEW."expires_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_exports_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_exports_delete" AFTER DELETE ON "exports" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'export', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('entity', OLD."entity", 'format', OLD."format", 'status', OLD."status", 'rowCount', OLD."row_count", 'size', OLD."size", 'r2Key', OLD."r2_key", 'error', OLD."error", 'expiresAt', OLD."expires_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_slots_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_slots_insert" AFTER INSERT ON "availability_slots" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'availability_slot', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('timezone', NEW."timezone", 'startsAt', NEW."starts_at", 'endsAt', NEW."ends_at", 'recurrence', NEW."recurrence", 'slotMinutes', NEW."slot_minutes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_slots_update";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_slots_update" AFTER UPDATE ON "availability_slots" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'availability_slot', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('timezone', OLD."timezone", 'startsAt', OLD."starts_at", 'endsAt', OLD."ends_at", 'recurrence', OLD."recurrence", 'slotMinutes', OLD."slot_minutes")) o JOIN json_each(json_object('timezone', NEW."timezone", 'startsAt', NEW."starts_at", 'endsAt', NEW."ends_at", 'recurrence', NEW."recurrence", 'slotMinutes', NEW."slot_minutes")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_slots_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_slots_delete" AFTER DELETE ON "availability_slots" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'availability_slot', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('timezone', OLD."timezone", 'startsAt', OLD."starts_at", 'endsAt', OLD."ends_at", 'recurrence', OLD."recurrence", 'slotMinutes', OLD."slot_minutes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_exceptions_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_exceptions_insert" AFTER INSERT ON "availability_exceptions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'availability_exception', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('date', NEW."date", 'timezone', NEW."timezone", 'kind', NEW."kind", 'windows', NEW."windows", 'slotMinutes', NEW."slot_minutes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_exceptions_update";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_exceptions_update" AFTER UPDATE ON "availability_exceptions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'availability_exception', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('date', OLD."date", 'timezone', OLD."timezone", 'kind', OLD."kind", 'windows', OLD."windows", 'slotMinutes', OLD."slot_minutes")) o JOIN json_each(json_object('date', NEW."date", 'timezone', NEW."timezone", 'kind', NEW."kind", 'windows', NEW."windows", 'slotMinutes', NEW."slot_minutes")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_availability_exceptions_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_availability_exceptions_delete" AFTER DELETE ON "availability_exceptions" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'availability_exception', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('date', OLD."date", 'timezone', OLD."timezone", 'kind', OLD."kind", 'windows', OLD."windows", 'slotMinutes', OLD."slot_minutes")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_booking_settings_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_booking_settings_insert" AFTER INSERT ON "booking_settings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'booking_settings', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('enabled', NEW."enabled", 'handle', NEW."handle", 'title', NEW."title", 'description', NEW."description", 'minNoticeMinutes', NEW."min_notice_minutes", 'maxAdvanceDays', NEW."max_advance_days", 'bufferMinutes', NEW."buffer_minutes", 'dailyLimit', NEW."daily_limit", 'requiresConfirmation', NEW."requires_confirmation")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_booking_settings_update";
--> statement-breakpoint
CREATE TRIGGER "audit_booking_settings_update" AFTER UPDATE ON "booking_settings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'booking_settings', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('enabled', OLD."enabled", 'handle', OLD."handle", 'title', OLD."title", 'description', OLD."description", 'minNoticeMinutes', OLD."min_notice_minutes", 'maxAdvanceDays', OLD."max_advance_days", 'bufferMinutes', OLD."buffer_minutes", 'dailyLimit', OLD."daily_limit", 'requiresConfirmation', OLD."requires_confirmation")) o JOIN json_each(json_object('enabled', NEW."enabled", 'handle', NEW."handle", 'title', NEW."title", 'description', NEW."description", 'minNoticeMinutes', NEW."min_notice_minutes", 'maxAdvanceDays', NEW."max_advance_days", 'bufferMinutes', NEW."buffer_minutes", 'dailyLimit', NEW."daily_limit", 'requiresConfirmation', NEW."requires_confirmation")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_booking_settings_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_booking_settings_delete" AFTER DELETE ON "booking_settings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'booking_settings', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('enabled', OLD."enabled", 'handle', OLD."handle", 'title', OLD."title", 'description', OLD."description", 'minNoticeMinutes', OLD."min_notice_minutes", 'maxAdvanceDays', OLD."max_advance_days", 'bufferMinutes', OLD."buffer_minutes", 'dailyLimit', OLD."daily_limit", 'requiresConfirmation', OLD."requires_confirmation")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_bookings_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_bookings_insert" AFTER INSERT ON "bookings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'booking', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', CASE WHEN key IN ('cancelTokenHash') AND value IS NOT NULL THEN '[redacted]' ELSE value END)) FROM json_each(json_object('startAt', NEW."start_at", 'endAt', NEW."end_at", 'status', NEW."status", 'guestName', NEW."guest_name", 'guestEmail', NEW."guest_email", 'guestPhone', NEW."guest_phone", 'message', NEW."message", 'guestTimezone', NEW."guest_timezone", 'contactId', NEW."contact_id", 'cancelTokenHash', NEW."cancel_token_hash", 'cancelledAt', NEW."cancelled_at", 'cancelledBy', NEW."cancelled_by", 'cancelReason', NEW."cancel_reason")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_bookings_update";
--> statement-breakpoint
CREATE TRIGGER "audit_bookings_update" AFTER UPDATE ON "bookings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'booking', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', CASE WHEN o.key IN ('cancelTokenHash') AND o.value IS NOT NULL THEN '[redacted]' ELSE o.value END, 'after', CASE WHEN o.key IN ('cancelTokenHash') AND n.value IS NOT NULL THEN '[redacted]' ELSE n.value END))
      FROM json_each(json_object('startAt', OLD."start_at", 'endAt', OLD."end_at", 'status', OLD."status", 'guestName', OLD."guest_name", 'guestEmail', OLD."guest_email", 'guestPhone', OLD."guest_phone", 'message', OLD."message", 'guestTimezone', OLD."guest_timezone", 'contactId', OLD."contact_id", 'cancelTokenHash', OLD."cancel_token_hash", 'cancelledAt', OLD."cancelled_at", 'cancelledBy', OLD."cancelled_by", 'cancelReason', OLD."cancel_reason")) o JOIN json_each(json_object('startAt', NEW."start_at", 'endAt', NEW."end_at", 'status', NEW."status", 'guestName', NEW."guest_name", 'guestEmail', NEW."guest_email", 'guestPhone', NEW."guest_phone", 'message', NEW."message", 'guestTimezone', NEW."guest_timezone", 'contactId', NEW."contact_id", 'cancelTokenHash', NEW."cancel_token_hash", 'cancelledAt', NEW."cancelled_at", 'cancelledBy', NEW."cancelled_by", 'cancelReason', NEW."cancel_reason")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_bookings_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_bookings_delete" AFTER DELETE ON "bookings" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'booking', OLD.id, (SELECT json_group_object(key, json_object('before', CASE WHEN key IN ('cancelTokenHash') AND value IS NOT NULL THEN '[redacted]' ELSE value END, 'after', NULL)) FROM json_each(json_object('startAt', OLD."start_at", 'endAt', OLD."end_at", 'status', OLD."status", 'guestName', OLD."guest_name", 'guestEmail', OLD."guest_email", 'guestPhone', OLD."guest_phone", 'message', OLD."message", 'guestTimezone', OLD."guest_timezone", 'contactId', OLD."contact_id", 'cancelTokenHash', OLD."cancel_token_hash", 'cancelledAt', OLD."cancelled_at", 'cancelledBy', OLD."cancelled_by", 'cancelReason', OLD."cancel_reason")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_quotes_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_quotes_insert" AFTER INSERT ON "quotes" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'quote', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('number', NEW."number", 'contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'currency', NEW."currency", 'locale', NEW."locale", 'notes', NEW."notes", 'items', NEW."items", 'subtotal', NEW."subtotal", 'discountTotal', NEW."discount_total", 'taxTotal', NEW."tax_total", 'total', NEW."total", 'sentAt', NEW."sent_at", 'status', NEW."status", 'validUntil', NEW."valid_until", 'acceptedAt', NEW."accepted_at", 'rejectedAt', NEW."rejected_at", 'rejectionReason', NEW."rejection_reason", 'expiredAt', NEW."expired_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_quotes_update";
--> statement-breakpoint
CREATE TRIGGER "audit_quotes_update" AFTER UPDATE ON "quotes" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'quote', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('number', OLD."number", 'contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'currency', OLD."currency", 'locale', OLD."locale", 'notes', OLD."notes", 'items', OLD."items", 'subtotal', OLD."subtotal", 'discountTotal', OLD."discount_total", 'taxTotal', OLD."tax_total", 'total', OLD."total", 'sentAt', OLD."sent_at", 'status', OLD."status", 'validUntil', OLD."valid_until", 'acceptedAt', OLD."accepted_at", 'rejectedAt', OLD."rejected_at", 'rejectionReason', OLD."rejection_reason", 'expiredAt', OLD."expired_at")) o JOIN json_each(json_object('number', NEW."number", 'contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'currency', NEW."currency", 'locale', NEW."locale", 'notes', NEW."notes", 'items', NEW."items", 'subtotal', NEW."subtotal", 'discountTotal', NEW."discount_total", 'taxTotal', NEW."tax_total", 'total', NEW."total", 'sentAt', NEW."sent_at", 'status', NEW."status", 'validUntil', NEW."valid_until", 'acceptedAt', NEW."accepted_at", 'rejectedAt', NEW."rejected_at", 'rejectionReason', NEW."rejection_reason", 'expiredAt', NEW."expired_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_quotes_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_quotes_delete" AFTER DELETE ON "quotes" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'quote', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('number', OLD."number", 'contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'currency', OLD."currency", 'locale', OLD."locale", 'notes', OLD."notes", 'items', OLD."items", 'subtotal', OLD."subtotal", 'discountTotal', OLD."discount_total", 'taxTotal', OLD."tax_total", 'total', OLD."total", 'sentAt', OLD."sent_at", 'status', OLD."status", 'validUntil', OLD."valid_until", 'acceptedAt', OLD."accepted_at", 'rejectedAt', OLD."rejected_at", 'rejectionReason', OLD."rejection_reason", 'expiredAt', OLD."expired_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_invoices_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_invoices_insert" AFTER INSERT ON "invoices" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'invoice', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('number', NEW."number", 'contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'currency', NEW."currency", 'locale', NEW."locale", 'notes', NEW."notes", 'items', NEW."items", 'subtotal', NEW."subtotal", 'discountTotal', NEW."discount_total", 'taxTotal', NEW."tax_total", 'total', NEW."total", 'sentAt', NEW."sent_at", 'status', NEW."status", 'quoteId', NEW."quote_id", 'issueDate', NEW."issue_date", 'dueDate', NEW."due_date", 'amountPaid', NEW."amount_paid", 'paidAt', NEW."paid_at", 'overdueAt', NEW."overdue_at", 'cancelledAt', NEW."cancelled_at", 'lastReminderAt', NEW."last_reminder_at", 'reminderCount', NEW."reminder_count")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_invoices_update";
--> statement-breakpoint
CREATE TRIGGER "audit_invoices_update" AFTER UPDATE ON "invoices" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'invoice', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('number', OLD."number", 'contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'currency', OLD."currency", 'locale', OLD."locale", 'notes', OLD."notes", 'items', OLD."items", 'subtotal', OLD."subtotal", 'discountTotal', OLD."discount_total", 'taxTotal', OLD."tax_total", 'total', OLD."total", 'sentAt', OLD."sent_at", 'status', OLD."status", 'quoteId', OLD."quote_id", 'issueDate', OLD."issue_date", 'dueDate', OLD."due_date", 'amountPaid', OLD."amount_paid", 'paidAt', OLD."paid_at", 'overdueAt', OLD."overdue_at", 'cancelledAt', OLD."cancelled_at", 'lastReminderAt', OLD."last_reminder_at", 'reminderCount', OLD."reminder_count")) o JOIN json_each(json_object('number', NEW."number", 'contactId', NEW."contact_id", 'sessionId', NEW."session_id", 'currency', NEW."currency", 'locale', NEW."locale", 'notes', NEW."notes", 'items', NEW."items", 'subtotal', NEW."subtotal", 'discountTotal', NEW."discount_total", 'taxTotal', NEW."tax_total", 'total', NEW."total", 'sentAt', NEW."sent_at", 'status', NEW."status", 'quoteId', NEW."quote_id", 'issueDate', NEW."issue_date", 'dueDate', NEW."due_date", 'amountPaid', NEW."amount_paid", 'paidAt', NEW."paid_at", 'overdueAt', NEW."overdue_at", 'cancelledAt', NEW."cancelled_at", 'lastReminderAt', NEW."last_reminder_at", 'reminderCount', NEW."reminder_count")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_invoices_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_invoices_delete" AFTER DELETE ON "invoices" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'invoice', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('number', OLD."number", 'contactId', OLD."contact_id", 'sessionId', OLD."session_id", 'currency', OLD."currency", 'locale', OLD."locale", 'notes', OLD."notes", 'items', OLD."items", 'subtotal', OLD."subtotal", 'discountTotal', OLD."discount_total", 'taxTotal', OLD."tax_total", 'total', OLD."total", 'sentAt', OLD."sent_at", 'status', OLD."status", 'quoteId', OLD."quote_id", 'issueDate', OLD."issue_date", 'dueDate', OLD."due_date", 'amountPaid', OLD."amount_paid", 'paidAt', OLD."paid_at", 'overdueAt', OLD."overdue_at", 'cancelledAt', OLD."cancelled_at", 'lastReminderAt', OLD."last_reminder_at", 'reminderCount', OLD."reminder_count")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_payments_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_payments_insert" AFTER INSERT ON "payments" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'payment', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('invoiceId', NEW."invoice_id", 'amount', NEW."amount", 'currency', NEW."currency", 'method', NEW."method", 'paidAt', NEW."paid_at", 'note', NEW."note", 'idempotencyKey', NEW."idempotency_key")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_payments_update";
--> statement-breakpoint
CREATE TRIGGER "audit_payments_update" AFTER UPDATE ON "payments" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'payment', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('invoiceId', OLD."invoice_id", 'amount', OLD."amount", 'currency', OLD."currency", 'method', OLD."method", 'paidAt', OLD."paid_at", 'note', OLD."note", 'idempotencyKey', OLD."idempotency_key")) o JOIN json_each(json_object('invoiceId', NEW."invoice_id", 'amount', NEW."amount", 'currency', NEW."currency", 'method', NEW."method", 'paidAt', NEW."paid_at", 'note', NEW."note", 'idempotencyKey', NEW."idempotency_key")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_payments_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_payments_delete" AFTER DELETE ON "payments" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'payment', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('invoiceId', OLD."invoice_id", 'amount', OLD."amount", 'currency', OLD."currency", 'method', OLD."method", 'paidAt', OLD."paid_at", 'note', OLD."note", 'idempotencyKey', OLD."idempotency_key")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_pdfs_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_document_pdfs_insert" AFTER INSERT ON "document_pdfs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'document_pdf', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'version', NEW."version", 'contentHash', NEW."content_hash", 'r2Key', NEW."r2_key", 'size', NEW."size")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_pdfs_update";
--> statement-breakpoint
CREATE TRIGGER "audit_document_pdfs_update" AFTER UPDATE ON "document_pdfs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'document_pdf', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'version', OLD."version", 'contentHash', OLD."content_hash", 'r2Key', OLD."r2_key", 'size', OLD."size")) o JOIN json_each(json_object('quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'version', NEW."version", 'contentHash', NEW."content_hash", 'r2Key', NEW."r2_key", 'size', NEW."size")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_pdfs_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_document_pdfs_delete" AFTER DELETE ON "document_pdfs" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'document_pdf', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'version', OLD."version", 'contentHash', OLD."content_hash", 'r2Key', OLD."r2_key", 'size', OLD."size")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_deliveries_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_document_deliveries_insert" AFTER INSERT ON "document_deliveries" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'document_delivery', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'kind', NEW."kind", 'toEmail', NEW."to_email", 'status', NEW."status", 'version', NEW."version", 'pdfKey', NEW."pdf_key", 'error', NEW."error", 'queuedAt', NEW."queued_at", 'sentAt', NEW."sent_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_deliveries_update";
--> statement-breakpoint
CREATE TRIGGER "audit_document_deliveries_update" AFTER UPDATE ON "document_deliveries" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'document_delivery', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'kind', OLD."kind", 'toEmail', OLD."to_email", 'status', OLD."status", 'version', OLD."version", 'pdfKey', OLD."pdf_key", 'error', OLD."error", 'queuedAt', OLD."queued_at", 'sentAt', OLD."sent_at")) o JOIN json_each(json_object('quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'kind', NEW."kind", 'toEmail', NEW."to_email", 'status', NEW."status", 'version', NEW."version", 'pdfKey', NEW."pdf_key", 'error', NEW."error", 'queuedAt', NEW."queued_at", 'sentAt', NEW."sent_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_document_deliveries_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_document_deliveries_delete" AFTER DELETE ON "document_deliveries" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'document_delivery', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'kind', OLD."kind", 'toEmail', OLD."to_email", 'status', OLD."status", 'version', OLD."version", 'pdfKey', OLD."pdf_key", 'error', OLD."error", 'queuedAt', OLD."queued_at", 'sentAt', OLD."sent_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_email_templates_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_email_templates_insert" AFTER INSERT ON "email_templates" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'email_template', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('kind', NEW."kind", 'subject', NEW."subject", 'body', NEW."body")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_email_templates_update";
--> statement-breakpoint
CREATE TRIGGER "audit_email_templates_update" AFTER UPDATE ON "email_templates" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'email_template', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('kind', OLD."kind", 'subject', OLD."subject", 'body', OLD."body")) o JOIN json_each(json_object('kind', NEW."kind", 'subject', NEW."subject", 'body', NEW."body")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_email_templates_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_email_templates_delete" AFTER DELETE ON "email_templates" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'email_template', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('kind', OLD."kind", 'subject', OLD."subject", 'body', OLD."body")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_emails_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_emails_insert" AFTER INSERT ON "scheduled_emails" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'scheduled_email', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('contactId', NEW."contact_id", 'subject', NEW."subject", 'body', NEW."body", 'sendAt', NEW."send_at", 'timezone', NEW."timezone", 'repeat', NEW."repeat", 'anniversary', NEW."anniversary", 'status', NEW."status", 'occurrence', NEW."occurrence", 'lastSentAt', NEW."last_sent_at", 'lastError', NEW."last_error")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_emails_update";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_emails_update" AFTER UPDATE ON "scheduled_emails" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'scheduled_email', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('contactId', OLD."contact_id", 'subject', OLD."subject", 'body', OLD."body", 'sendAt', OLD."send_at", 'timezone', OLD."timezone", 'repeat', OLD."repeat", 'anniversary', OLD."anniversary", 'status', OLD."status", 'occurrence', OLD."occurrence", 'lastSentAt', OLD."last_sent_at", 'lastError', OLD."last_error")) o JOIN json_each(json_object('contactId', NEW."contact_id", 'subject', NEW."subject", 'body', NEW."body", 'sendAt', NEW."send_at", 'timezone', NEW."timezone", 'repeat', NEW."repeat", 'anniversary', NEW."anniversary", 'status', NEW."status", 'occurrence', NEW."occurrence", 'lastSentAt', NEW."last_sent_at", 'lastError', NEW."last_error")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_emails_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_emails_delete" AFTER DELETE ON "scheduled_emails" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'scheduled_email', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('contactId', OLD."contact_id", 'subject', OLD."subject", 'body', OLD."body", 'sendAt', OLD."send_at", 'timezone', OLD."timezone", 'repeat', OLD."repeat", 'anniversary', OLD."anniversary", 'status', OLD."status", 'occurrence', OLD."occurrence", 'lastSentAt', OLD."last_sent_at", 'lastError', OLD."last_error")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_access_tokens_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_client_access_tokens_insert" AFTER INSERT ON "client_access_tokens" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'client_access_token', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', CASE WHEN key IN ('tokenHash', 'tokenSealed') AND value IS NOT NULL THEN '[redacted]' ELSE value END)) FROM json_each(json_object('contactId', NEW."contact_id", 'quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'tokenHash', NEW."token_hash", 'tokenSealed', NEW."token_sealed", 'expiresAt', NEW."expires_at", 'revokedAt', NEW."revoked_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_access_tokens_update";
--> statement-breakpoint
CREATE TRIGGER "audit_client_access_tokens_update" AFTER UPDATE ON "client_access_tokens" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'client_access_token', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', CASE WHEN o.key IN ('tokenHash', 'tokenSealed') AND o.value IS NOT NULL THEN '[redacted]' ELSE o.value END, 'after', CASE WHEN o.key IN ('tokenHash', 'tokenSealed') AND n.value IS NOT NULL THEN '[redacted]' ELSE n.value END))
      FROM json_each(json_object('contactId', OLD."contact_id", 'quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'tokenHash', OLD."token_hash", 'tokenSealed', OLD."token_sealed", 'expiresAt', OLD."expires_at", 'revokedAt', OLD."revoked_at")) o JOIN json_each(json_object('contactId', NEW."contact_id", 'quoteId', NEW."quote_id", 'invoiceId', NEW."invoice_id", 'tokenHash', NEW."token_hash", 'tokenSealed', NEW."token_sealed", 'expiresAt', NEW."expires_at", 'revokedAt', NEW."revoked_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_access_tokens_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_client_access_tokens_delete" AFTER DELETE ON "client_access_tokens" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'client_access_token', OLD.id, (SELECT json_group_object(key, json_object('before', CASE WHEN key IN ('tokenHash', 'tokenSealed') AND value IS NOT NULL THEN '[redacted]' ELSE value END, 'after', NULL)) FROM json_each(json_object('contactId', OLD."contact_id", 'quoteId', OLD."quote_id", 'invoiceId', OLD."invoice_id", 'tokenHash', OLD."token_hash", 'tokenSealed', OLD."token_sealed", 'expiresAt', OLD."expires_at", 'revokedAt', OLD."revoked_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_messages_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_client_messages_insert" AFTER INSERT ON "client_messages" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'CREATE', 'client_message', NEW.id, (SELECT json_group_object(key, json_object('before', NULL, 'after', value)) FROM json_each(json_object('contactId', NEW."contact_id", 'direction', NEW."direction", 'body', NEW."body", 'accessTokenId', NEW."access_token_id", 'readAt', NEW."read_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_messages_update";
--> statement-breakpoint
CREATE TRIGGER "audit_client_messages_update" AFTER UPDATE ON "client_messages" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'client_message', NEW.id, d.changes, ctx."request_id"
    FROM "audit_context" ctx, (SELECT (SELECT json_group_object(o.key, json_object('before', o.value, 'after', n.value))
      FROM json_each(json_object('contactId', OLD."contact_id", 'direction', OLD."direction", 'body', OLD."body", 'accessTokenId', OLD."access_token_id", 'readAt', OLD."read_at")) o JOIN json_each(json_object('contactId', NEW."contact_id", 'direction', NEW."direction", 'body', NEW."body", 'accessTokenId', NEW."access_token_id", 'readAt', NEW."read_at")) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS changes) d WHERE d.changes <> '{}';
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_client_messages_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_client_messages_delete" AFTER DELETE ON "client_messages" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'DELETE', 'client_message', OLD.id, (SELECT json_group_object(key, json_object('before', value, 'after', NULL)) FROM json_each(json_object('contactId', OLD."contact_id", 'direction', OLD."direction", 'body', OLD."body", 'accessTokenId', OLD."access_token_id", 'readAt', OLD."read_at")) WHERE type <> 'null'), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_email_files_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_email_files_insert" AFTER INSERT ON "scheduled_email_files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'scheduled_email', NEW."scheduled_email_id", json_object('attachment', json_object('before', NULL, 'after', NEW."file_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_email_files_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_email_files_delete" AFTER DELETE ON "scheduled_email_files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'scheduled_email', OLD."scheduled_email_id", json_object('attachment', json_object('before', OLD."file_id", 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_scheduled_email_files_update";
--> statement-breakpoint
CREATE TRIGGER "audit_scheduled_email_files_update" AFTER UPDATE ON "scheduled_email_files" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'scheduled_email', NEW."scheduled_email_id", json_object('attachment', json_object('before', OLD."file_id", 'after', NEW."file_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_contact_tags_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_contact_tags_insert" AFTER INSERT ON "contact_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', NEW."contact_id", json_object('tag', json_object('before', NULL, 'after', NEW."tag_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_contact_tags_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_contact_tags_delete" AFTER DELETE ON "contact_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', OLD."contact_id", json_object('tag', json_object('before', OLD."tag_id", 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_contact_tags_update";
--> statement-breakpoint
CREATE TRIGGER "audit_contact_tags_update" AFTER UPDATE ON "contact_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', NEW."contact_id", json_object('tag', json_object('before', OLD."tag_id", 'after', NEW."tag_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_tags_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_session_tags_insert" AFTER INSERT ON "session_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('tag', json_object('before', NULL, 'after', NEW."tag_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_tags_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_session_tags_delete" AFTER DELETE ON "session_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', OLD."session_id", json_object('tag', json_object('before', OLD."tag_id", 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_tags_update";
--> statement-breakpoint
CREATE TRIGGER "audit_session_tags_update" AFTER UPDATE ON "session_tags" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('tag', json_object('before', OLD."tag_id", 'after', NEW."tag_id")), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_contacts_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_session_contacts_insert" AFTER INSERT ON "session_contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('contact', json_object('before', NULL, 'after', json_object('contactId', NEW."contact_id", 'role', NEW."role"))), ctx."request_id"
    FROM "audit_context" ctx;
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', NEW."contact_id", json_object('session', json_object('before', NULL, 'after', json_object('sessionId', NEW."session_id", 'role', NEW."role"))), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_contacts_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_session_contacts_delete" AFTER DELETE ON "session_contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', OLD."session_id", json_object('contact', json_object('before', json_object('contactId', OLD."contact_id", 'role', OLD."role"), 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', OLD."contact_id", json_object('session', json_object('before', json_object('sessionId', OLD."session_id", 'role', OLD."role"), 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_contacts_update";
--> statement-breakpoint
CREATE TRIGGER "audit_session_contacts_update" AFTER UPDATE ON "session_contacts" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('contact', json_object('before', json_object('contactId', OLD."contact_id", 'role', OLD."role"), 'after', json_object('contactId', NEW."contact_id", 'role', NEW."role"))), ctx."request_id"
    FROM "audit_context" ctx;
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'contact', NEW."contact_id", json_object('session', json_object('before', json_object('sessionId', OLD."session_id", 'role', OLD."role"), 'after', json_object('sessionId', NEW."session_id", 'role', NEW."role"))), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_providers_insert";
--> statement-breakpoint
CREATE TRIGGER "audit_session_providers_insert" AFTER INSERT ON "session_providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('provider', json_object('before', NULL, 'after', json_object('providerId', NEW."provider_id", 'role', NEW."role", 'feeAmount', NEW."fee_amount", 'feeCurrency', NEW."fee_currency"))), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_providers_delete";
--> statement-breakpoint
CREATE TRIGGER "audit_session_providers_delete" AFTER DELETE ON "session_providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT OLD.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', OLD."session_id", json_object('provider', json_object('before', json_object('providerId', OLD."provider_id", 'role', OLD."role", 'feeAmount', OLD."fee_amount", 'feeCurrency', OLD."fee_currency"), 'after', NULL)), ctx."request_id"
    FROM "audit_context" ctx;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "audit_session_providers_update";
--> statement-breakpoint
CREATE TRIGGER "audit_session_providers_update" AFTER UPDATE ON "session_providers" BEGIN
  SELECT RAISE(ABORT, 'audit context missing: write tenant data with auditedBatch()') WHERE NOT EXISTS (SELECT 1 FROM "audit_context");
  INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT NEW.owner_id, ctx."actor_id", ctx."actor_type", 'UPDATE', 'session', NEW."session_id", json_object('provider', json_object('before', json_object('providerId', OLD."provider_id", 'role', OLD."role", 'feeAmount', OLD."fee_amount", 'feeCurrency', OLD."fee_currency"), 'after', json_object('providerId', NEW."provider_id", 'role', NEW."role", 'feeAmount', NEW."fee_amount", 'feeCurrency', NEW."fee_currency"))), ctx."request_id"
    FROM "audit_context" ctx;
END;
