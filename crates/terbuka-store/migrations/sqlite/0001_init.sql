-- Terbuka schema, version 1 (SQLite). Keep in step with migrations/postgres/0001_init.sql.
-- Dates are ISO-8601 TEXT (YYYY-MM-DD), instants RFC 3339 UTC TEXT, booleans INTEGER 0/1.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES units(id)
);
CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE days_off (
    date TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    PRIMARY KEY (date, name)
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    reg_no TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    requester_kind TEXT NOT NULL,
    identity_enc BLOB NOT NULL,
    display_name TEXT,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    purpose TEXT NOT NULL,
    obtain TEXT NOT NULL,
    delivery TEXT NOT NULL,
    received_at TEXT NOT NULL,
    day0 TEXT NOT NULL,
    state TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    notice_due TEXT NOT NULL,
    extended INTEGER NOT NULL DEFAULT 0,
    extension_reason TEXT,
    outcome TEXT,
    notice_json TEXT,
    notice_day TEXT,
    fee INTEGER NOT NULL DEFAULT 0,
    fee_day TEXT,
    delivered_day TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX requests_unit_state ON requests(unit_id, state, notice_due);
CREATE INDEX requests_day0 ON requests(day0);
CREATE TABLE request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE INDEX request_events_request ON request_events(request_id);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX documents_request ON documents(request_id);
CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    reg_no TEXT NOT NULL UNIQUE,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    grounds TEXT NOT NULL,
    summary TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    day0 TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    response_due TEXT NOT NULL,
    response_day TEXT,
    decision_text TEXT,
    decided_by INTEGER REFERENCES officers(id),
    ki_received TEXT,
    decision_received TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX objections_request ON objections(request_id);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    to_enc BLOB NOT NULL,
    subject TEXT NOT NULL,
    body_enc BLOB NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);
