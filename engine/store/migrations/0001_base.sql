-- The schema as the engine first shipped it: a task belonged to its video
-- and went with it.
CREATE TABLE IF NOT EXISTS indexes (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	models     TEXT NOT NULL,
	addons     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS videos (
	id            TEXT PRIMARY KEY,
	index_id      TEXT NOT NULL REFERENCES indexes(id) ON DELETE CASCADE,
	filename      TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	duration      REAL NOT NULL DEFAULT 0,
	fps           REAL NOT NULL DEFAULT 0,
	width         INTEGER NOT NULL DEFAULT 0,
	height        INTEGER NOT NULL DEFAULT 0,
	size          INTEGER NOT NULL DEFAULT 0,
	has_audio     INTEGER NOT NULL DEFAULT 0,
	source        TEXT NOT NULL DEFAULT '',
	user_metadata TEXT NOT NULL DEFAULT '{}',
	enable_stream INTEGER NOT NULL DEFAULT 1,
	hls_status    TEXT NOT NULL DEFAULT '',
	thumbnails    TEXT NOT NULL DEFAULT '[]',
	ready         INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	indexed_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS videos_index ON videos(index_id, ready);
CREATE TABLE IF NOT EXISTS tasks (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT NOT NULL UNIQUE,
	index_id        TEXT NOT NULL REFERENCES indexes(id) ON DELETE CASCADE,
	video_id        TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
	status          TEXT NOT NULL,
	progress        REAL NOT NULL DEFAULT 0,
	failure_code    TEXT NOT NULL DEFAULT '',
	failure_message TEXT NOT NULL DEFAULT '',
	video_url       TEXT NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status, seq);
CREATE INDEX IF NOT EXISTS tasks_index ON tasks(index_id, seq);
