-- 0007_jobs_parent.sql -- group jobs (spec: "Fleets working together"):
-- a submission naming `fleets` stores a parent job (no fleet) and one
-- child per fleet; each child's `parent` is the parent's id, set once when
-- it is stored and never changed.  NULL for every other job (a parent
-- included: it is recognised by its wait kind, 'children').
--
-- The index answers the three questions asked of a group by its parent's
-- id: its children (GET /v1/jobs?parent=, the answer's `children`), "is a
-- child still live?" (asked when a child ends, one probe per live state)
-- and its children counted by state (the parent's end state).
ALTER TABLE jobs ADD COLUMN parent INTEGER;
CREATE INDEX jobs_parent ON jobs (parent, state) WHERE parent IS NOT NULL;
