#include "service/reconcile.hpp"

#include <algorithm>
#include <set>

#include "emuscim/store/repo.hpp"
#include "service/audit.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;

bool is_account(std::int64_t user_id) { return user_id >= store::first_account_id; }

std::string team_path(const store::org_row& org, std::string_view slug) { return org.login + "/" + std::string(slug); }

}  // namespace

reconciler::~reconciler() {
  for (const auto& [id, t] : tallies_) {
    if (t.added == 0 && t.removed == 0) continue;
    ctx_.note((id < 0 ? "enterprise team " : "team ") + t.name + " reconciled: +" + std::to_string(t.added) +
              " \u2212" + std::to_string(t.removed));
  }
}

const store::org_row& reconciler::org(std::int64_t org_id) {
  auto it = orgs_.find(org_id);
  if (it == orgs_.end()) {
    auto row = store::find_org_by_id(w_.db, org_id);
    it = orgs_.emplace(org_id, row ? std::move(*row) : store::org_row{org_id, "", std::nullopt, false, ""}).first;
  }
  return it->second;
}

std::string reconciler::login(std::int64_t user_id) {
  auto u = is_account(user_id) ? store::find_personal_account(w_.db, user_id) : store::find_managed_user(w_.db, user_id);
  return u ? u->login : std::string();
}

void reconciler::org_joined_or_left(const store::org_row& o, std::int64_t user_id, store::membership_change change) {
  if (change == store::membership_change::none) return;
  const auto who = login(user_id);
  const bool joined = change == store::membership_change::joined;
  json data = {{"org", o.login}, {"org_id", o.id}, {"user", who}, {"user_id", user_id}};
  if (joined) data["permission"] = "read";
  audit::record_for_org(w_, ctx_, o.id, joined ? "org.add_member" : "org.remove_member", who, data);
}

bool reconciler::add_to_team(const store::team_row& team, std::int64_t user_id, std::string_view role) {
  if (!store::insert_team_member(w_.db, team.id, user_id, role, w_.now)) return false;
  const auto& o = org(team.org_id);
  auto& t = tallies_[team.id];
  if (t.name.empty()) t.name = team_path(o, team.slug);
  ++t.added;
  const auto who = login(user_id);
  audit::record_for_org(w_, ctx_, o.id, "team.add_member", who,
                        {{"team", t.name}, {"team_id", team.id}, {"user", who}, {"user_id", user_id},
                         {"org", o.login}, {"org_id", o.id}});
  const auto change = team.group_seq ? store::adjust_membership(w_.db, o.id, user_id, +1, 0, w_.now)
                                     : store::make_direct_member(w_.db, o.id, user_id, w_.now);
  org_joined_or_left(o, user_id, change);
  return true;
}

bool reconciler::remove_from_team(const store::team_row& team, std::int64_t user_id) {
  if (!store::delete_team_member(w_.db, team.id, user_id)) return false;
  const auto& o = org(team.org_id);
  auto& t = tallies_[team.id];
  if (t.name.empty()) t.name = team_path(o, team.slug);
  ++t.removed;
  const auto who = login(user_id);
  audit::record_for_org(w_, ctx_, o.id, "team.remove_member", who,
                        {{"team", t.name}, {"team_id", team.id}, {"user", who}, {"user_id", user_id},
                         {"org", o.login}, {"org_id", o.id}});
  if (team.group_seq) org_joined_or_left(o, user_id, store::adjust_membership(w_.db, o.id, user_id, -1, 0, w_.now));
  return true;
}

void reconciler::sync_team(const store::team_row& team, std::optional<std::int64_t> target_group) {
  // Both lists ascending: one merge pass applies the difference.
  const auto have = store::team_member_ids(w_.db, team.id);
  const auto want = target_group ? store::active_group_member_ids(w_.db, *target_group) : std::vector<std::int64_t>{};
  auto h = have.begin();
  auto g = want.begin();
  while (h != have.end() || g != want.end()) {
    if (g == want.end() || (h != have.end() && *h < *g)) {
      remove_from_team(team, *h++);
    } else if (h == have.end() || *g < *h) {
      add_to_team(team, *g++, "member");
    } else {
      ++h;
      ++g;
    }
  }
}

void reconciler::empty_subtree(const store::team_row& team) {
  for (const auto& child : store::child_teams(w_.db, team.id)) empty_subtree(child);
  for (auto user : store::team_member_ids(w_.db, team.id)) remove_from_team(team, user);
}

// ---- enterprise teams ----

bool reconciler::add_to_enterprise_team(const store::enterprise_team_row& team, std::int64_t user_id) {
  if (!store::insert_enterprise_team_member(w_.db, team.id, user_id, w_.now)) return false;
  auto& t = tallies_[-team.id];
  if (t.name.empty()) t.name = team.slug;
  ++t.added;
  const auto who = login(user_id);
  audit::record(w_, ctx_, "enterprise_team.add_member", who, true,
                {{"enterprise_team", team.slug}, {"enterprise_team_id", team.id}, {"user", who}, {"user_id", user_id}});
  for (auto org_id : store::enterprise_team_org_ids(w_.db, team.id)) {
    org_joined_or_left(org(org_id), user_id, store::adjust_membership(w_.db, org_id, user_id, 0, +1, w_.now));
  }
  return true;
}

bool reconciler::remove_from_enterprise_team(const store::enterprise_team_row& team, std::int64_t user_id) {
  if (!store::delete_enterprise_team_member(w_.db, team.id, user_id)) return false;
  auto& t = tallies_[-team.id];
  if (t.name.empty()) t.name = team.slug;
  ++t.removed;
  const auto who = login(user_id);
  audit::record(w_, ctx_, "enterprise_team.remove_member", who, true,
                {{"enterprise_team", team.slug}, {"enterprise_team_id", team.id}, {"user", who}, {"user_id", user_id}});
  for (auto org_id : store::enterprise_team_org_ids(w_.db, team.id)) {
    org_joined_or_left(org(org_id), user_id, store::adjust_membership(w_.db, org_id, user_id, 0, -1, w_.now));
  }
  return true;
}

void reconciler::sync_enterprise_team(const store::enterprise_team_row& team, std::optional<std::int64_t> target_group) {
  const auto have = store::enterprise_team_member_ids(w_.db, team.id);
  const auto want = target_group ? store::active_group_member_ids(w_.db, *target_group) : std::vector<std::int64_t>{};
  auto h = have.begin();
  auto g = want.begin();
  while (h != have.end() || g != want.end()) {
    if (g == want.end() || (h != have.end() && *h < *g)) {
      remove_from_enterprise_team(team, *h++);
    } else if (h == have.end() || *g < *h) {
      add_to_enterprise_team(team, *g++);
    } else {
      ++h;
      ++g;
    }
  }
}

void reconciler::assign(const store::enterprise_team_row& team, std::int64_t org_id) {
  if (!store::insert_enterprise_team_org(w_.db, team.id, org_id, w_.now)) return;
  const auto& o = org(org_id);
  for (auto user : store::enterprise_team_member_ids(w_.db, team.id)) {
    org_joined_or_left(o, user, store::adjust_membership(w_.db, org_id, user, 0, +1, w_.now));
  }
}

void reconciler::unassign(const store::enterprise_team_row& team, std::int64_t org_id) {
  if (!store::delete_enterprise_team_org(w_.db, team.id, org_id)) return;
  const auto& o = org(org_id);
  for (auto user : store::enterprise_team_member_ids(w_.db, team.id)) {
    org_joined_or_left(o, user, store::adjust_membership(w_.db, org_id, user, 0, -1, w_.now));
  }
}

// ---- causes ----

void reconciler::sync_user_in_group(std::int64_t group_seq, std::int64_t user_seq) {
  const auto user = store::find_managed_user(w_.db, user_seq);
  const bool want = user && user->active && store::in_group(w_.db, group_seq, user_seq);
  for (const auto& team : store::teams_linked_to(w_.db, group_seq)) {
    if (want) {
      add_to_team(team, user_seq, "member");
    } else {
      remove_from_team(team, user_seq);
    }
  }
  for (const auto& team : store::enterprise_teams_linked_to(w_.db, group_seq)) {
    if (want) {
      add_to_enterprise_team(team, user_seq);
    } else {
      remove_from_enterprise_team(team, user_seq);
    }
  }
}

void reconciler::group_changed(std::int64_t group_seq, std::int64_t enterprise_id,
                               const std::vector<std::string>& touched, bool full) {
  const auto teams = store::teams_linked_to(w_.db, group_seq);
  const auto ent_teams = store::enterprise_teams_linked_to(w_.db, group_seq);
  if (teams.empty() && ent_teams.empty()) return;  // the common case costs two index probes
  if (full) {
    for (const auto& t : teams) sync_team(t, group_seq);
    for (const auto& t : ent_teams) sync_enterprise_team(t, group_seq);
    return;
  }
  std::set<std::int64_t> seen;
  for (const auto& id : touched) {
    auto seq = store::user_seq(w_.db, enterprise_id, id);
    if (seq && seen.insert(*seq).second) sync_user_in_group(group_seq, *seq);
  }
}

void reconciler::user_activity_changed(std::int64_t user_seq) {
  for (auto group_seq : store::groups_of_user(w_.db, user_seq)) sync_user_in_group(group_seq, user_seq);
}

void reconciler::user_deleting(std::int64_t user_seq) {
  for (const auto& mt : store::teams_of_user(w_.db, user_seq)) {
    if (auto team = store::find_team(w_.db, mt.team_id)) remove_from_team(*team, user_seq);
  }
  for (auto team_id : store::enterprise_teams_of_user(w_.db, user_seq)) {
    if (auto ent = store::find_enterprise_team(w_.db, ctx_.enterprise.id, std::to_string(team_id))) {
      remove_from_enterprise_team(*ent, user_seq);
    }
  }
  // What is left is direct membership: deletion is final, so it goes too.
  for (const auto& m : store::memberships_of_user(w_.db, user_seq)) {
    const auto& o = org(m.org_id);
    if (!o.enterprise_id) continue;  // a personal account's id range never meets users.seq; be safe anyway
    store::delete_org_member(w_.db, m.org_id, user_seq);
    org_joined_or_left(o, user_seq, store::membership_change::left);
  }
}

void reconciler::group_deleting(std::int64_t group_seq) {
  for (auto team : store::teams_linked_to(w_.db, group_seq)) {
    sync_team(team, std::nullopt);
    team.group_seq.reset();
    team.modified = w_.now;
    store::update_team(w_.db, team);
    audit::record_for_org(w_, ctx_, team.org_id, "external_group.unlink", team_path(org(team.org_id), team.slug),
                          {{"external_group_id", group_seq}, {"team", team_path(org(team.org_id), team.slug)}});
  }
  for (auto team : store::enterprise_teams_linked_to(w_.db, group_seq)) {
    sync_enterprise_team(team, std::nullopt);
    team.group_seq.reset();
    team.modified = w_.now;
    store::update_enterprise_team(w_.db, team);
  }
}

void reconciler::org_created(const store::org_row& o) {
  if (!o.enterprise_id) return;
  orgs_.insert_or_assign(o.id, o);
  for (const auto& team : store::enterprise_teams_selecting_all(w_.db, *o.enterprise_id)) assign(team, o.id);
}

}  // namespace emuscim::service
