-- The crisis information channel: datasets (a TOML definition each), immutable releases (each a
-- complete snapshot of the dataset's observations) and each release's diff against the one
-- before (the public correction log). Keep in step with postgres/0005_crisis.sql.
CREATE TABLE crisis_datasets (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    definition_version INTEGER NOT NULL,
    -- SHA-256 (hex) of the definition text.
    definition_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE crisis_releases (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES crisis_datasets(id),
    -- 1, 2, … per dataset, assigned under the audit lock.
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    -- crisis::diff::release_digest of the observations.
    digest TEXT NOT NULL,
    -- The definition the upload was checked against.
    definition_hash TEXT NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    rows_count INTEGER NOT NULL,
    UNIQUE (dataset_id, seq)
);
-- Every value of a release (a release is complete, not a delta).
CREATE TABLE crisis_observations (
    release_id INTEGER NOT NULL REFERENCES crisis_releases(id),
    region TEXT NOT NULL,
    date TEXT NOT NULL,
    measure TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT,
    PRIMARY KEY (release_id, region, date, measure)
) WITHOUT ROWID;
-- What a release changed from the one before: kind added/changed/removed, the old and the new value.
CREATE TABLE crisis_changes (
    release_id INTEGER NOT NULL REFERENCES crisis_releases(id),
    region TEXT NOT NULL,
    date TEXT NOT NULL,
    measure TEXT NOT NULL,
    kind TEXT NOT NULL,
    old_value REAL,
    new_value REAL,
    PRIMARY KEY (release_id, region, date, measure)
) WITHOUT ROWID;
-- Releases are immutable: no row of a release, its values or its diff may change or go.
CREATE TRIGGER crisis_releases_immutable_u BEFORE UPDATE ON crisis_releases BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
CREATE TRIGGER crisis_releases_immutable_d BEFORE DELETE ON crisis_releases BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
CREATE TRIGGER crisis_observations_immutable_u BEFORE UPDATE ON crisis_observations BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
CREATE TRIGGER crisis_observations_immutable_d BEFORE DELETE ON crisis_observations BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
CREATE TRIGGER crisis_changes_immutable_u BEFORE UPDATE ON crisis_changes BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
CREATE TRIGGER crisis_changes_immutable_d BEFORE DELETE ON crisis_changes BEGIN SELECT RAISE(ABORT, 'crisis releases are immutable'); END;
