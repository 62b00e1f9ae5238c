-- Administrators hear of each new booking request by mail; each may turn that off for themselves
-- (an institution with several administrators where one decides the requests).
ALTER TABLE users ADD COLUMN request_mails boolean NOT NULL DEFAULT true;
