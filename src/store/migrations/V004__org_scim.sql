-- emuscim schema version 4: org-level SCIM for standalone GitHub Enterprise Cloud organizations
-- (SAML SSO): SCIM identities, the organization invitations they send, and their link to the
-- personal account that accepted one (docs/BEHAVIOUR.md "Org-level SCIM").

-- A SCIM identity provisioned into a standalone organization (POST /scim/v2/organizations/{org}/Users).
-- It stays unlinked until the person accepts the invitation; account_id then names the personal
-- account it is linked to (an org_members row). `active: false` and DELETE remove the row: GitHub
-- deletes the identity and its id.
CREATE TABLE org_identities (
  seq         INTEGER PRIMARY KEY,                      -- creation order; keyset paging
  org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id          TEXT NOT NULL UNIQUE,                     -- SCIM id, UUID v4
  user_name   TEXT NOT NULL COLLATE NOCASE,
  external_id TEXT,
  email       TEXT NOT NULL COLLATE NOCASE,             -- the invitation's address: the primary email, else the first
  account_id  INTEGER REFERENCES accounts(id),          -- the linked personal account; NULL while unlinked
  doc         TEXT NOT NULL,                            -- canonical SCIM document (JSON)
  created     TEXT NOT NULL,
  modified    TEXT NOT NULL
);
CREATE UNIQUE INDEX org_identities_user_name   ON org_identities(org_id, user_name);
CREATE UNIQUE INDEX org_identities_external_id ON org_identities(org_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX org_identities_email       ON org_identities(org_id, email);
CREATE UNIQUE INDEX org_identities_account     ON org_identities(org_id, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX org_identities_order              ON org_identities(org_id, seq);

-- Every email value of an identity, so that `filter=emails eq "..."` is an index lookup.
CREATE TABLE org_identity_emails (
  org_id       INTEGER NOT NULL,
  email        TEXT NOT NULL COLLATE NOCASE,
  identity_seq INTEGER NOT NULL REFERENCES org_identities(seq) ON DELETE CASCADE,
  PRIMARY KEY (org_id, email, identity_seq)
) WITHOUT ROWID;
CREATE INDEX org_identity_emails_identity ON org_identity_emails(identity_seq);

-- Pending organization invitations (GET /orgs/{org}/invitations). Accepting or cancelling one
-- deletes its row. Ids are never reused (GitHub's invitation ids only grow).
CREATE TABLE org_invitations (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,   -- GitHub's numeric invitation id
  org_id           INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  identity_seq     INTEGER REFERENCES org_identities(seq) ON DELETE CASCADE,  -- the SCIM identity that sent it
  email            TEXT COLLATE NOCASE,
  account_id       INTEGER REFERENCES accounts(id),     -- the invitee, when the email or userName names an account
  role             TEXT NOT NULL DEFAULT 'direct_member',
  source           TEXT NOT NULL DEFAULT 'scim',        -- member | scim
  inviter_token_id INTEGER,
  created          TEXT NOT NULL
);
CREATE INDEX org_invitations_org             ON org_invitations(org_id, id);
CREATE UNIQUE INDEX org_invitations_identity ON org_invitations(identity_seq) WHERE identity_seq IS NOT NULL;

-- Accounts by email: an invitation names the account GitHub recognises from its address.
CREATE INDEX accounts_email ON accounts(email COLLATE NOCASE);
