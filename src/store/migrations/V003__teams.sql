-- emuscim schema version 3: organization teams, IdP-group links, enterprise teams, and the counts
-- that let reconciliation cost O(change) (docs/ARCHITECTURE.md "Teams and reconciliation").

-- A team of an organization. group_seq links it to one IdP group (groups.seq) of the org's
-- enterprise; a linked team's members are exactly the group's active members. parent_id nests it.
CREATE TABLE teams (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT, -- GitHub's numeric team id
  org_id               INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  slug                 TEXT NOT NULL,
  description          TEXT,
  privacy              TEXT NOT NULL,                   -- secret | closed
  notification_setting TEXT NOT NULL,                   -- notifications_enabled | notifications_disabled
  permission           TEXT NOT NULL,                   -- pull | push | admin
  parent_id            INTEGER REFERENCES teams(id) ON DELETE CASCADE,
  group_seq            INTEGER REFERENCES groups(seq) ON DELETE SET NULL,
  member_count         INTEGER NOT NULL DEFAULT 0,      -- direct members, kept by the store
  created              TEXT NOT NULL,
  modified             TEXT NOT NULL
);
CREATE UNIQUE INDEX teams_slug ON teams(org_id, slug);
CREATE UNIQUE INDEX teams_name ON teams(org_id, name COLLATE NOCASE);
CREATE INDEX teams_group  ON teams(group_seq) WHERE group_seq IS NOT NULL;
CREATE INDEX teams_parent ON teams(parent_id) WHERE parent_id IS NOT NULL;

-- Team membership. user_id is users.seq (EMU organization) or accounts.id (standalone).
CREATE TABLE team_members (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  role    TEXT NOT NULL DEFAULT 'member',              -- member | maintainer
  created TEXT NOT NULL,
  PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX team_members_user ON team_members(user_id, team_id);

-- Why a user is an organization member: `direct` (a person added them: invitation, a manual team
-- membership), `team_count` (IdP-linked teams of the organization they are in), `ent_team_count`
-- (enterprise teams assigned to the organization they are in). The row exists while any of the
-- three holds; reconciliation adjusts the counts by the change, never by recounting.
ALTER TABLE org_members ADD COLUMN team_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE org_members ADD COLUMN ent_team_count INTEGER NOT NULL DEFAULT 0;

-- Enterprise teams (GitHub's public preview): members managed directly or by one IdP group,
-- assigned to organizations of the enterprise whose membership they then give.
CREATE TABLE enterprise_teams (
  id                          INTEGER PRIMARY KEY AUTOINCREMENT,
  enterprise_id               INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
  name                        TEXT NOT NULL,
  slug                        TEXT NOT NULL,            -- "ent:" + the derived slug
  description                 TEXT,
  organization_selection_type TEXT NOT NULL,            -- disabled | selected | all
  notification_setting        TEXT NOT NULL,
  group_seq                   INTEGER REFERENCES groups(seq) ON DELETE SET NULL,
  member_count                INTEGER NOT NULL DEFAULT 0,
  created                     TEXT NOT NULL,
  modified                    TEXT NOT NULL
);
CREATE UNIQUE INDEX enterprise_teams_slug ON enterprise_teams(enterprise_id, slug);
CREATE UNIQUE INDEX enterprise_teams_name ON enterprise_teams(enterprise_id, name COLLATE NOCASE);
CREATE INDEX enterprise_teams_group ON enterprise_teams(group_seq) WHERE group_seq IS NOT NULL;

CREATE TABLE enterprise_team_members (
  team_id INTEGER NOT NULL REFERENCES enterprise_teams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,                             -- users.seq
  created TEXT NOT NULL,
  PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX enterprise_team_members_user ON enterprise_team_members(user_id, team_id);

CREATE TABLE enterprise_team_orgs (
  team_id INTEGER NOT NULL REFERENCES enterprise_teams(id) ON DELETE CASCADE,
  org_id  INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  created TEXT NOT NULL,
  PRIMARY KEY (team_id, org_id)
) WITHOUT ROWID;
CREATE INDEX enterprise_team_orgs_org ON enterprise_team_orgs(org_id, team_id);
