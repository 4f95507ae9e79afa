-- The public information register (DIP/DIK), its version history, its files and the change log
-- that keeps every node's search index in step. Keep in step with postgres/0003_register.sql.
CREATE TABLE info_items (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    state TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- The register fields (terbuka_domain::dip::ItemFields) as JSON.
    fields_json TEXT NOT NULL,
    formats TEXT NOT NULL DEFAULT '',
    publish_at TEXT,
    published_at TEXT,
    withdrawn_at TEXT,
    withdrawn_reason TEXT,
    -- Date of the last content change (cadence of periodic items counts from it).
    content_updated_on TEXT NOT NULL,
    exempt_until TEXT,
    source_document_id INTEGER REFERENCES documents(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX info_items_public ON info_items(state, updated_at, id);
CREATE INDEX info_items_unit ON info_items(unit_id, state, updated_at);
CREATE INDEX info_items_category ON info_items(category, state, updated_at);
CREATE UNIQUE INDEX info_items_source ON info_items(source_document_id);
CREATE TABLE info_versions (
    item_id INTEGER NOT NULL REFERENCES info_items(id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (item_id, version)
);
CREATE TABLE info_files (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES info_items(id),
    -- A file keeps its slot across replacements; revision counts them.
    slot INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    item_version INTEGER NOT NULL,
    blob_key TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    superseded_at TEXT,
    removed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (item_id, slot, revision)
);
CREATE INDEX info_files_item ON info_files(item_id);
CREATE TABLE search_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_key TEXT NOT NULL,
    at TEXT NOT NULL
);
