-- Crisis releases are stored compactly: one row per release holding its change set (what it
-- changed from the release before and which correction notes it set or cleared, encoded by
-- terbuka_domain::crisis::codec), and a release's values are the replay of every change set up to
-- it, checked against the release's digest. Right after this script, in the same transaction,
-- the store converts the full copies and diff rows of migration 5 (crisis_observations,
-- crisis_changes) into change sets and drops those tables (sql_crisis.rs, `convert_v5`).
-- Keep in step with sqlite/0006_crisis_change_sets.sql.
CREATE TABLE crisis_change_sets (
    release_id BIGINT PRIMARY KEY REFERENCES crisis_releases(id),
    -- 1: the codec's format 1 (dictionaries, delta-coded rows, deflate).
    format BIGINT NOT NULL,
    payload BYTEA NOT NULL
);
CREATE TRIGGER crisis_change_sets_immutable BEFORE UPDATE OR DELETE ON crisis_change_sets FOR EACH ROW EXECUTE FUNCTION crisis_immutable();
-- Population per region (for per-100 000 indicators); replaced whole by each upload.
CREATE TABLE crisis_populations (
    region TEXT PRIMARY KEY,
    population BIGINT NOT NULL CHECK (population > 0),
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
