#pragma once
// GitHub's reconciliation of teams and organization membership with IdP groups
// (github-orgs-teams.md §6, github-emu-scim.md §13): a team linked to a group has exactly the
// group's active members; a member of a linked team is a member of the team's organization; an
// enterprise team gives membership of the organizations it is assigned to. Everything here runs
// inside the write job of the change that causes it (same SAVEPOINT, same COMMIT), and costs
// O(change): counts kept per organization member (org_members.team_count / ent_team_count /
// direct) say whether the membership still has a reason, so nothing is recomputed from sets.
// Private to the service module. Not thread-safe: one reconciler per write job.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/service/context.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/teams.hpp"

namespace emuscim::service {

class reconciler {
 public:
  reconciler(store::write_context& w, const request_context& ctx) : w_(w), ctx_(ctx) {}
  reconciler(const reconciler&) = delete;
  reconciler& operator=(const reconciler&) = delete;
  ~reconciler();  // writes the per-team notes ("team octo-org/octo-team reconciled: +3 −1")

  // ---- organization teams ----
  // A member added by the team's link (linked team) counts towards the organization membership;
  // one added by hand makes the user a direct organization member. Both write team.add_member,
  // and org.add_member when the user joins the organization.
  bool add_to_team(const store::team_row& team, std::int64_t user_id, std::string_view role);
  // Leaves the team; a linked team's member also loses the organization membership it gave,
  // unless another reason remains (team.remove_member, org.remove_member).
  bool remove_from_team(const store::team_row& team, std::int64_t user_id);
  // Makes the team's members exactly `target_group`'s active members (nullopt: none), applying
  // the difference. The team's own link decides how its members count (see add_to_team).
  void sync_team(const store::team_row& team, std::optional<std::int64_t> target_group);
  // Removes every member of the team and of its descendants (before deleting them).
  void empty_subtree(const store::team_row& team);

  // ---- enterprise teams ----
  bool add_to_enterprise_team(const store::enterprise_team_row& team, std::int64_t user_id);
  bool remove_from_enterprise_team(const store::enterprise_team_row& team, std::int64_t user_id);
  void sync_enterprise_team(const store::enterprise_team_row& team, std::optional<std::int64_t> target_group);
  void assign(const store::enterprise_team_row& team, std::int64_t org_id);
  void unassign(const store::enterprise_team_row& team, std::int64_t org_id);

  // ---- causes ----
  // After a SCIM write changed a group's members: `touched` users were added or removed (SCIM
  // ids); `full` when the group was emptied or replaced, then every linked team is synced.
  void group_changed(std::int64_t group_seq, std::int64_t enterprise_id, const std::vector<std::string>& touched,
                     bool full);
  // After a user's `active` changed: suspension leaves the linked teams (and the organizations
  // they gave), reactivation rejoins them.
  void user_activity_changed(std::int64_t user_seq);
  // Before a managed user is deleted: every team, enterprise team and organization, for good.
  void user_deleting(std::int64_t user_seq);
  // Before a group is deleted: its teams lose the members it gave, and the link.
  void group_deleting(std::int64_t group_seq);
  // After an organization of the enterprise was created: enterprise teams assigned to all
  // organizations give it their members.
  void org_created(const store::org_row& org);

 private:
  struct tally {
    std::string name;
    std::int64_t added = 0;
    std::int64_t removed = 0;
  };
  const store::org_row& org(std::int64_t org_id);
  std::string login(std::int64_t user_id);
  void org_joined_or_left(const store::org_row& org, std::int64_t user_id, store::membership_change change);
  void sync_user_in_group(std::int64_t group_seq, std::int64_t user_seq);

  store::write_context& w_;
  const request_context& ctx_;
  std::map<std::int64_t, store::org_row> orgs_;
  std::map<std::int64_t, tally> tallies_;  // team id (negative: enterprise team) -> changes
};

}  // namespace emuscim::service
