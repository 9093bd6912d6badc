-- What a council approval freezes besides the text and the numbers: the joys and
-- concerns, the plain-language summary and the infographic's choices, as JSON
-- (hyte_store::versions::FrozenContent). The published document is made from them,
-- so that what is added or changed after approval reaches the public site only
-- through a new approval (issue #14, item 2). Versions approved before this
-- migration keep NULL and are published from the current content as before.
ALTER TABLE report_version ADD COLUMN content_json TEXT;
