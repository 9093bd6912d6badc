-- Partners by consent (issue #14, item 11). Both migrations of this number must stay in
-- step.
--
-- A report's coordinator no longer makes another organisation a partner by naming it:
-- the partner is `invited` until that organisation's coordinator accepts, and while
-- invited its users get no access to the report at all (the access model counts only
-- `accepted` partners). Declining or withdrawing deletes the row; every step is in the
-- audit log.
--
-- Existing partner rows become `accepted`, so nothing changes for existing data: the
-- column is added with the safe default for new rows (`invited`) and the rows already
-- there are then marked accepted. `invited_by`/`invited_at` and
-- `answered_by`/`answered_at` say who invited and who accepted, and when (empty for
-- the rows made before this migration).
ALTER TABLE report_partner ADD COLUMN state TEXT NOT NULL DEFAULT 'invited'
    CHECK (state IN ('invited', 'accepted'));
ALTER TABLE report_partner ADD COLUMN invited_by TEXT;
ALTER TABLE report_partner ADD COLUMN invited_at TEXT;
ALTER TABLE report_partner ADD COLUMN answered_by TEXT;
ALTER TABLE report_partner ADD COLUMN answered_at TEXT;
UPDATE report_partner SET state = 'accepted';

-- The partnership invitations an organisation has received.
CREATE INDEX report_partner_org_state ON report_partner(org_key, state);
