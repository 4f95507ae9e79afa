-- Kolaborasi: organisations, the aid catalogue, needs, pledges, deliveries, reports, need history
-- and beneficiary lists (keyed hashes only). Keep in step with postgres/0004_kolaborasi.sql.
CREATE TABLE aid_item_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    unit_en TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO aid_item_types (code, name_id, name_en, unit_id, unit_en) VALUES
    ('sembako', 'Paket sembako', 'Food parcels', 'paket', 'parcels'),
    ('makanan_siap_saji', 'Makanan siap saji', 'Ready meals', 'porsi', 'meals'),
    ('air_bersih', 'Air bersih', 'Clean water', 'liter', 'litres'),
    ('masker', 'Masker', 'Masks', 'buah', 'pieces'),
    ('tabung_oksigen', 'Tabung oksigen', 'Oxygen cylinders', 'tabung', 'cylinders'),
    ('obat', 'Obat-obatan', 'Medicines', 'paket', 'kits'),
    ('apd', 'Alat pelindung diri', 'Personal protective equipment', 'set', 'sets'),
    ('selimut', 'Selimut dan tikar', 'Blankets and mats', 'buah', 'pieces'),
    ('perlengkapan_bayi', 'Perlengkapan bayi', 'Baby supplies', 'paket', 'kits'),
    ('bantuan_tunai', 'Bantuan tunai', 'Cash transfer', 'rupiah', 'rupiah');
CREATE TABLE aid_orgs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    region TEXT NOT NULL,
    address TEXT,
    public_email TEXT,
    public_phone TEXT,
    -- The registering person (name, e-mail, phone), sealed by the app.
    contact_enc BLOB NOT NULL,
    -- SHA-256 of the private management link's token.
    token_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    state_note TEXT,
    verified_at TEXT,
    verified_by INTEGER REFERENCES officers(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX aid_orgs_state ON aid_orgs(state, created_at);
CREATE TABLE aid_needs (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES aid_orgs(id),
    item_type_id INTEGER NOT NULL REFERENCES aid_item_types(id),
    title TEXT NOT NULL,
    description TEXT,
    quantity INTEGER NOT NULL,
    region TEXT NOT NULL,
    rw TEXT,
    households INTEGER,
    people INTEGER,
    until TEXT NOT NULL,
    allow_over_pledge INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    pledged INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    confirmed INTEGER NOT NULL DEFAULT 0,
    takedown_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (quantity > 0 AND pledged >= 0 AND delivered >= 0 AND confirmed >= 0)
);
CREATE INDEX aid_needs_state ON aid_needs(state, created_at);
CREATE INDEX aid_needs_region ON aid_needs(region);
CREATE INDEX aid_needs_org ON aid_needs(org_id);
CREATE INDEX aid_needs_until ON aid_needs(until);
CREATE TABLE aid_pledges (
    id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    delivered INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    -- Shown on the ledger only when the pledger opted in.
    public_name TEXT,
    contact_enc BLOB NOT NULL,
    -- Keyed hash of the normalised e-mail/phone, for the per-contact rate limit.
    contact_hash TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    deliver_by TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX aid_pledges_need ON aid_pledges(need_id, id);
CREATE INDEX aid_pledges_due ON aid_pledges(state, deliver_by);
CREATE INDEX aid_pledges_contact ON aid_pledges(contact_hash, created_at);
CREATE TABLE aid_deliveries (
    id INTEGER PRIMARY KEY,
    pledge_id INTEGER NOT NULL REFERENCES aid_pledges(id),
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    delivered_on TEXT NOT NULL,
    note TEXT,
    state TEXT NOT NULL,
    proof_key TEXT,
    proof_sha256 TEXT,
    proof_filename TEXT,
    proof_content_type TEXT,
    proof_size INTEGER,
    dispute_reason TEXT,
    resolution_note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX aid_deliveries_need ON aid_deliveries(need_id, id);
CREATE INDEX aid_deliveries_state ON aid_deliveries(state);
CREATE TABLE aid_need_events (
    id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    -- Who, as a role only: org, donor, officer, system.
    actor_kind TEXT NOT NULL,
    pledge_id INTEGER,
    delivery_id INTEGER,
    quantity INTEGER,
    note TEXT
);
CREATE INDEX aid_need_events_need ON aid_need_events(need_id, id);
CREATE TABLE aid_reports (
    id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    reason TEXT NOT NULL,
    detail TEXT,
    open INTEGER NOT NULL DEFAULT 1,
    resolution_note TEXT,
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX aid_reports_open ON aid_reports(open, created_at);
CREATE TABLE aid_beneficiary_lists (
    id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    uploaded_by INTEGER NOT NULL REFERENCES officers(id),
    uploaded_at TEXT NOT NULL,
    rows_count INTEGER NOT NULL,
    households INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    current INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX aid_beneficiary_lists_need ON aid_beneficiary_lists(need_id, current);
CREATE TABLE aid_beneficiaries (
    list_id INTEGER NOT NULL REFERENCES aid_beneficiary_lists(id),
    need_id INTEGER NOT NULL REFERENCES aid_needs(id),
    item_type_id INTEGER NOT NULL,
    window_from TEXT NOT NULL,
    window_until TEXT NOT NULL,
    person_hash TEXT NOT NULL,
    household_hash TEXT NOT NULL,
    PRIMARY KEY (list_id, person_hash)
);
CREATE INDEX aid_beneficiaries_household ON aid_beneficiaries(household_hash, item_type_id);
CREATE INDEX aid_beneficiaries_kind ON aid_beneficiaries(item_type_id, window_from, window_until);
