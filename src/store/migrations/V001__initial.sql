-- emuscim schema version 1.
-- Every SCIM resource row carries its enterprise; every lookup index starts with
-- enterprise_id so nothing crosses enterprises and lookups stay O(log n).

CREATE TABLE emuscim_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO emuscim_meta(key, value) VALUES ('application', 'emuscim');

CREATE TABLE enterprises (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  short_code  TEXT NOT NULL,
  created     TEXT NOT NULL,
  user_count  INTEGER NOT NULL DEFAULT 0,   -- kept by the store; totalResults without count(*)
  group_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tokens (
  id            INTEGER PRIMARY KEY,
  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
  hash          BLOB NOT NULL UNIQUE,          -- SHA-256 of the token; the token itself is never stored
  scopes        TEXT NOT NULL,                 -- space-separated
  label         TEXT,
  created       TEXT NOT NULL,
  revoked       TEXT                           -- time of revocation, NULL while valid
);
CREATE INDEX tokens_enterprise ON tokens(enterprise_id);

CREATE TABLE users (
  seq           INTEGER PRIMARY KEY,           -- creation order; keyset paging
  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
  id            TEXT NOT NULL UNIQUE,          -- SCIM id, UUID v4
  user_name     TEXT NOT NULL COLLATE NOCASE,
  external_id   TEXT,
  display_name  TEXT COLLATE NOCASE,
  login         TEXT NOT NULL,                 -- normalized login, <name>_<SHORTCODE>
  current_login TEXT NOT NULL COLLATE NOCASE,  -- login, or its hashed form while suspended
  email         TEXT,                          -- managed account's primary email (obfuscated while suspended)
  active        INTEGER NOT NULL,
  role          TEXT,                          -- effective GitHub role, NULL = unaffiliated
  doc           TEXT NOT NULL,                 -- canonical SCIM document (JSON)
  created       TEXT NOT NULL,
  modified      TEXT NOT NULL
);
CREATE UNIQUE INDEX users_user_name   ON users(enterprise_id, user_name);
CREATE UNIQUE INDEX users_external_id ON users(enterprise_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX users_login       ON users(enterprise_id, current_login);
CREATE INDEX users_display_name       ON users(enterprise_id, display_name);
CREATE INDEX users_order              ON users(enterprise_id, seq);

CREATE TABLE groups (
  seq           INTEGER PRIMARY KEY,
  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
  id            TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL COLLATE NOCASE,
  external_id   TEXT,
  member_count  INTEGER NOT NULL DEFAULT 0,
  doc           TEXT NOT NULL,
  created       TEXT NOT NULL,
  modified      TEXT NOT NULL
);
CREATE UNIQUE INDEX groups_display_name ON groups(enterprise_id, display_name);
CREATE UNIQUE INDEX groups_external_id  ON groups(enterprise_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX groups_order               ON groups(enterprise_id, seq);

CREATE TABLE memberships (
  group_seq INTEGER NOT NULL REFERENCES groups(seq) ON DELETE CASCADE,
  user_seq  INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,
  PRIMARY KEY (group_seq, user_seq)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships(user_seq, group_seq);

CREATE TABLE audit_events (
  seq            INTEGER PRIMARY KEY,
  enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
  created        TEXT NOT NULL,
  action         TEXT NOT NULL,              -- GitHub's event name, e.g. external_identity.provision
  actor_token_id INTEGER,
  request_id     TEXT,
  resource_id    TEXT,                       -- SCIM id of the user or group
  success        INTEGER NOT NULL,
  data           TEXT                        -- JSON details
);
CREATE INDEX audit_enterprise ON audit_events(enterprise_id, seq);
CREATE INDEX audit_action     ON audit_events(enterprise_id, action, seq);
