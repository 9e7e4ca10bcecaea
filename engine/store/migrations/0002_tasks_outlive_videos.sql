-- A task outlives its video: the documented order deletes a video, then its
-- task, so video_id is no foreign key, and once the video is gone the task
-- answers with the video's filename, duration and size copied here. SQLite
-- cannot drop a constraint in place: the table is rebuilt (the runner turns
-- foreign keys off around it, or DROP TABLE would cascade).
CREATE TABLE tasks_detached (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT NOT NULL UNIQUE,
	index_id        TEXT NOT NULL REFERENCES indexes(id) ON DELETE CASCADE,
	video_id        TEXT NOT NULL,
	status          TEXT NOT NULL,
	progress        REAL NOT NULL DEFAULT 0,
	failure_code    TEXT NOT NULL DEFAULT '',
	failure_message TEXT NOT NULL DEFAULT '',
	video_url       TEXT NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	filename        TEXT NOT NULL DEFAULT '',
	duration        REAL NOT NULL DEFAULT 0,
	width           INTEGER NOT NULL DEFAULT 0,
	height          INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tasks_detached (seq, id, index_id, video_id, status, progress, failure_code, failure_message, video_url, attempts, created_at, updated_at)
	SELECT seq, id, index_id, video_id, status, progress, failure_code, failure_message, video_url, attempts, created_at, updated_at FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_detached RENAME TO tasks;
CREATE INDEX tasks_status ON tasks(status, seq);
CREATE INDEX tasks_index ON tasks(index_id, seq);
