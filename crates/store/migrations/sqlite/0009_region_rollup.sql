-- The welfare region's report collects its member municipalities' joys and concerns
-- (issue #6). Both migrations of this number must stay in step.
-- A collected item remembers where it came from: the municipality and the id of the
-- joy or concern in that municipality's report. No foreign key on purpose: the copy is
-- the region's own text, and an organisation's backup must restore without the other
-- organisation's rows. The unique index makes collecting idempotent.
ALTER TABLE observation ADD COLUMN source_org TEXT;
ALTER TABLE observation ADD COLUMN source_observation_id INTEGER;
CREATE UNIQUE INDEX observation_source ON observation(report_id, source_observation_id);
