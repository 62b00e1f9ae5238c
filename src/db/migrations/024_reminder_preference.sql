-- A person may turn off the reminders before their meetings (a lecturer with twenty lectures a week
-- got forty reminder mails). Their time zone for mails (users.time_zone, migration 004) becomes
-- theirs to set too, on the account page.
ALTER TABLE users ADD COLUMN reminders boolean NOT NULL DEFAULT true;
