-- 0010_queues.sql -- durable queues (spec: "Fleets working together").
-- A queue is a name; its items are ids handed from job to job in FIFO
-- order.  An item is either waiting in its queue (taken_by NULL) or held
-- by the job that took it (taken_by, with the step and pass of that take)
-- until the job's next step completes, when the row is deleted.  An item
-- given back (its job cancelled or failed first) goes to the front: a
-- position below every other of its queue.  queue.c owns both tables.
CREATE TABLE queues (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE queue_items (
	id INTEGER PRIMARY KEY,
	queue INTEGER NOT NULL REFERENCES queues (id),
	pos INTEGER NOT NULL,
	value INTEGER NOT NULL,
	put_by INTEGER,
	put_at INTEGER NOT NULL,
	taken_by INTEGER,
	taken_step INTEGER,
	taken_iter INTEGER,
	taken_at INTEGER
);

-- the front of a queue, and the next position at either end
CREATE UNIQUE INDEX queue_items_order ON queue_items (queue, pos);
-- what a job holds (consumed after its next step, given back if it fails)
CREATE INDEX queue_items_taken ON queue_items (taken_by) WHERE taken_by IS NOT NULL;
