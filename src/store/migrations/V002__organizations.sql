-- emuscim schema version 2: organizations, personal accounts, organization membership, and
-- tokens and audit events that belong to an organization instead of an enterprise.

-- An organization of an EMU enterprise (enterprise_id set), or a standalone GitHub Enterprise
-- Cloud organization that uses SAML SSO with org-level SCIM (enterprise_id NULL, sso = 1).
CREATE TABLE orgs (
  id            INTEGER PRIMARY KEY,                 -- GitHub's numeric organization id
  login         TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- logins are unique across GitHub
  enterprise_id INTEGER REFERENCES enterprises(id) ON DELETE CASCADE,
  sso           INTEGER NOT NULL DEFAULT 0,
  created       TEXT NOT NULL
);
CREATE INDEX orgs_enterprise ON orgs(enterprise_id, id);

-- Personal GitHub accounts (people outside EMU who accept an organization's invitation). Their
-- ids start above 2^40, so they never collide with managed users' numeric ids (users.seq).
CREATE TABLE accounts (
  id      INTEGER PRIMARY KEY,
  login   TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name    TEXT,
  email   TEXT,
  created TEXT NOT NULL
);

-- Organization membership. user_id is users.seq in an EMU organization, accounts.id in a
-- standalone one. direct = a member by themselves (invitation, REST), not only through teams.
CREATE TABLE org_members (
  org_id  INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  role    TEXT NOT NULL DEFAULT 'member',           -- admin | member
  direct  INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  PRIMARY KEY (org_id, user_id)
) WITHOUT ROWID;
CREATE INDEX org_members_user ON org_members(user_id, org_id);

-- Tokens belong to an enterprise or (standalone organizations) to an organization.
CREATE TABLE tokens_v2 (
  id            INTEGER PRIMARY KEY,
  enterprise_id INTEGER REFERENCES enterprises(id) ON DELETE CASCADE,
  org_id        INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
  hash          BLOB NOT NULL UNIQUE,
  scopes        TEXT NOT NULL,
  label         TEXT,
  created       TEXT NOT NULL,
  revoked       TEXT,
  CHECK ((enterprise_id IS NULL) <> (org_id IS NULL))
);
INSERT INTO tokens_v2(id, enterprise_id, hash, scopes, label, created, revoked)
  SELECT id, enterprise_id, hash, scopes, label, created, revoked FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v2 RENAME TO tokens;
CREATE INDEX tokens_enterprise ON tokens(enterprise_id);
CREATE INDEX tokens_org ON tokens(org_id);

-- Audit events likewise: an enterprise's, or a standalone organization's. org_id also names the
-- organization an enterprise event concerns (team and membership events).
CREATE TABLE audit_events_v2 (
  seq            INTEGER PRIMARY KEY,
  enterprise_id  INTEGER REFERENCES enterprises(id) ON DELETE CASCADE,
  org_id         INTEGER,                    -- no foreign key: an enterprise's events outlive its orgs
  created        TEXT NOT NULL,
  action         TEXT NOT NULL,
  actor_token_id INTEGER,
  request_id     TEXT,
  resource_id    TEXT,
  success        INTEGER NOT NULL,
  data           TEXT,
  CHECK (enterprise_id IS NOT NULL OR org_id IS NOT NULL)
);
INSERT INTO audit_events_v2(seq, enterprise_id, created, action, actor_token_id, request_id, resource_id, success, data)
  SELECT seq, enterprise_id, created, action, actor_token_id, request_id, resource_id, success, data FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_v2 RENAME TO audit_events;
CREATE INDEX audit_enterprise ON audit_events(enterprise_id, seq);
CREATE INDEX audit_action     ON audit_events(enterprise_id, action, seq);
CREATE INDEX audit_org        ON audit_events(org_id, seq) WHERE org_id IS NOT NULL;
