// Workloads 7a and 7b: the cost of GitHub's team reconciliation (issue 11, docs/BENCHMARKS.md).
//   7a  link a team to a group of S members (S = 10,000 when enough users are seeded), and to a
//       1,000-member group: the link's cost per member must not depend on S.
//   7b  add (then remove) 100 members in one PATCH to a group linked to 10 teams, against the same
//       PATCH on an unlinked group: the extra cost is per team-membership changed, whatever the
//       size of the teams (the group keeps S members).
// Needs the admin API (a token with admin:org is minted through it), so only against a server
// the bench starts itself (main.cpp gives it bench_admin_token and the organization bench-org).
#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "workloads.hpp"

namespace bench {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
constexpr std::size_t kBatch = 100;      // members per SCIM PATCH while building groups
constexpr std::size_t kLinkedTeams = 10;
constexpr std::size_t kChange = 100;     // members added/removed per measured PATCH
constexpr int kRounds = 10;              // measured PATCH pairs in 7b
constexpr int kLinkRounds = 3;           // measured link/unlink pairs in 7a

struct api {
  client admin;
  client org;
  api(bench_env& env) : admin(1, std::chrono::seconds(300)), org(1, std::chrono::seconds(300)) {
    admin.set_target(env.cl.endpoint(), std::string(bench_admin_token));
    auto minted = admin.request("POST", "/_emuscim/enterprises/" + env.opt.enterprise + "/tokens",
                                R"({"scopes":["admin:org"],"label":"bench-teams"})");
    if (minted.ec || minted.status != 201) {
      throw std::runtime_error("minting an admin:org token through the admin API failed (HTTP " +
                               std::to_string(minted.status) + "): the teams workloads need a server started "
                               "by the bench");
    }
    org.set_target(env.cl.endpoint(), json::parse(minted.body).at("token").get<std::string>());
  }
};

reply must(client& c, std::string_view method, const std::string& target, const std::string& body,
           std::initializer_list<unsigned> ok) {
  auto r = c.request(method, target, body);
  if (r.ec || std::find(ok.begin(), ok.end(), r.status) == ok.end()) {
    throw std::runtime_error(std::string(method) + " " + target + ": " +
                             (r.ec ? r.ec.message() : "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300)));
  }
  return r;
}

std::string members_patch(std::string_view op, const std::vector<std::string>& ids, std::size_t from,
                          std::size_t to) {
  json values = json::array();
  for (std::size_t i = from; i < to; ++i) values.push_back({{"value", ids[i]}});
  return json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
              {"Operations", {{{"op", op}, {"path", "members"}, {"value", values}}}}}
      .dump();
}

// A group of the seeded users [from, to); returns {SCIM id, GitHub numeric id}.
std::pair<std::string, std::int64_t> build_group(bench_env& env, api& a, const std::string& name, std::size_t from,
                                                 std::size_t to) {
  auto g = must(env.cl, "POST", env.base + "/Groups?excludedAttributes=members",
                json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}}, {"displayName", name}}.dump(),
                {201});
  const auto id = json::parse(g.body).at("id").get<std::string>();
  for (std::size_t i = from; i < to; i += kBatch) {
    must(env.cl, "PATCH", env.base + "/Groups/" + id + "?excludedAttributes=members",
         members_patch("add", env.ids, i, std::min(to, i + kBatch)), {200, 204});
  }
  auto list = must(a.org, "GET", "/orgs/bench-org/external-groups?per_page=100&display_name=" + url_encode(name), "",
                   {200});
  const auto page = json::parse(list.body);  // named: a range-for over a temporary's member would dangle
  for (const auto& item : page.at("groups")) {
    if (item.at("group_name") == name) return {id, item.at("group_id").get<std::int64_t>()};
  }
  throw std::runtime_error("group " + name + " is not among the external groups");
}

std::string make_team(api& a, const std::string& name) {
  auto t = must(a.org, "POST", "/orgs/bench-org/teams", json{{"name", name}}.dump(), {201});
  return json::parse(t.body).at("slug").get<std::string>();
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

workload_report link_workload(bench_env& env) {
  workload_report w;
  w.id = "7a";
  w.title = "PATCH /orgs/{org}/teams/{team}/external-groups (link) to a 10,000-member group, and unlink";
  w.connections = 1;
  w.rate_unit = "members/s";
  api a(env);
  const std::size_t big = std::min<std::size_t>(10'000, env.ids.size() > 200 ? env.ids.size() - 200 : 0);
  if (big < 1'000) throw std::runtime_error("7a needs at least 1,200 seeded users");
  const auto started = clock_type::now();
  auto [big_id, big_number] = build_group(env, a, "bench-link-big-" + env.nonce, 0, big);
  auto [small_id, small_number] = build_group(env, a, "bench-link-small-" + env.nonce, 0, 1'000);
  const auto team = make_team(a, "bench-link-" + env.nonce);
  w.figures.emplace_back("setup_s", ms_since(started) / 1000);
  latency_histogram link_big, unlink_big, link_small;
  const std::string target = "/orgs/bench-org/teams/" + team + "/external-groups";
  for (int round = 0; round < kLinkRounds; ++round) {
    for (auto [number, hist] : {std::pair{small_number, &link_small}, std::pair{big_number, &link_big}}) {
      auto t0 = clock_type::now();
      auto r = must(a.org, "PATCH", target, json{{"group_id", number}}.dump(), {200});
      hist->record(static_cast<std::uint64_t>(ms_since(t0) * 1e6));
      ++w.requests;
      auto t1 = clock_type::now();
      must(a.org, "DELETE", target, "", {204});
      if (hist == &link_big) unlink_big.record(static_cast<std::uint64_t>(ms_since(t1) * 1e6));
      ++w.requests;
    }
  }
  w.elapsed_s = ms_since(started) / 1000;
  w.latency = summarize(link_big);
  w.parts = {{"link 1,000 members", summarize(link_small)}, {"unlink " + std::to_string(big), summarize(unlink_big)}};
  w.rate = static_cast<double>(big) / (w.latency.p50_ms / 1000);
  w.figures.emplace_back("group_members", static_cast<double>(big));
  w.figures.emplace_back("link_us_per_member", w.latency.p50_ms * 1000 / static_cast<double>(big));
  w.figures.emplace_back("link_1000_us_per_member", summarize(link_small).p50_ms * 1000 / 1000.0);
  w.notes.push_back("each link adds every member to the team and to the organization, with one team.add_member and "
                    "one org.add_member event each, in one write job; the unlink removes them the same way");
  // Leave nothing linked behind: later workloads see the same database as before.
  must(env.cl, "DELETE", env.base + "/Groups/" + small_id, "", {204});
  must(a.org, "DELETE", "/orgs/bench-org/teams/" + team, "", {204});
  env.teams_group_id = big_id;
  env.teams_group_members = big;
  return w;
}

workload_report change_workload(bench_env& env) {
  workload_report w;
  w.id = "7b";
  w.title = "PATCH /Groups/{id} adding then removing 100 members, group linked to 10 teams vs unlinked";
  w.connections = 1;
  w.rate_unit = "PATCH/s";
  api a(env);
  const auto started = clock_type::now();
  if (env.teams_group_id.empty()) {
    const std::size_t big = std::min<std::size_t>(10'000, env.ids.size() > 200 ? env.ids.size() - 200 : 0);
    if (big < 1'000) throw std::runtime_error("7b needs at least 1,200 seeded users");
    env.teams_group_id = build_group(env, a, "bench-link-big-" + env.nonce, 0, big).first;
    env.teams_group_members = big;
  }
  const std::size_t s = env.teams_group_members;
  // The newcomers: seeded users outside the group.
  if (env.ids.size() < s + kChange) throw std::runtime_error("7b needs 100 seeded users outside the group");
  auto list = must(a.org, "GET", "/orgs/bench-org/external-groups?per_page=100&display_name=" +
                                     url_encode("bench-link-big-" + env.nonce), "", {200});
  const auto number = json::parse(list.body).at("groups").at(0).at("group_id").get<std::int64_t>();
  std::vector<std::string> teams;
  for (std::size_t i = 0; i < kLinkedTeams; ++i) {
    teams.push_back(make_team(a, "bench-change-" + std::to_string(i) + "-" + env.nonce));
    must(a.org, "PATCH", "/orgs/bench-org/teams/" + teams.back() + "/external-groups",
         json{{"group_id", number}}.dump(), {200});
  }
  auto [unlinked_id, unlinked_number] = build_group(env, a, "bench-unlinked-" + env.nonce, 0, s);
  (void)unlinked_number;
  w.figures.emplace_back("setup_s", ms_since(started) / 1000);
  const auto add = members_patch("add", env.ids, s, s + kChange);
  const auto remove = members_patch("remove", env.ids, s, s + kChange);
  latency_histogram linked_add, linked_remove, plain_add, plain_remove;
  const auto measure_start = clock_type::now();
  for (int round = 0; round < kRounds; ++round) {
    for (auto [group, add_hist, remove_hist] :
         {std::tuple{env.teams_group_id, &linked_add, &linked_remove},
          std::tuple{unlinked_id, &plain_add, &plain_remove}}) {
      const std::string target = env.base + "/Groups/" + group + "?excludedAttributes=members";
      auto t0 = clock_type::now();
      must(env.cl, "PATCH", target, add, {200, 204});
      add_hist->record(static_cast<std::uint64_t>(ms_since(t0) * 1e6));
      t0 = clock_type::now();
      must(env.cl, "PATCH", target, remove, {200, 204});
      remove_hist->record(static_cast<std::uint64_t>(ms_since(t0) * 1e6));
      w.requests += 2;
    }
  }
  w.elapsed_s = ms_since(measure_start) / 1000;
  w.latency = summarize(linked_add);
  w.parts = {{"remove 100, linked to 10 teams", summarize(linked_remove)},
             {"add 100, unlinked group", summarize(plain_add)},
             {"remove 100, unlinked group", summarize(plain_remove)}};
  w.rate = 1000 / std::max(w.latency.p50_ms, 1e-6);
  const double extra_ms = w.latency.p50_ms - summarize(plain_add).p50_ms;
  w.figures.emplace_back("group_members", static_cast<double>(s));
  w.figures.emplace_back("team_memberships_per_patch", static_cast<double>(kChange * kLinkedTeams));
  w.figures.emplace_back("extra_us_per_team_membership", extra_ms * 1000 / (kChange * kLinkedTeams));
  w.notes.push_back("each measured add writes 1,000 team memberships (100 members x 10 teams), 100 organization "
                    "memberships and their audit events in the PATCH's own write job");
  for (const auto& t : teams) must(a.org, "DELETE", "/orgs/bench-org/teams/" + t, "", {204});
  must(env.cl, "DELETE", env.base + "/Groups/" + unlinked_id, "", {204});
  must(env.cl, "DELETE", env.base + "/Groups/" + env.teams_group_id, "", {204});
  env.teams_group_id.clear();
  return w;
}

}  // namespace

std::vector<workload_report> run_teams_workload(bench_env& env, const std::string& id) {
  try {
    if (id == "7a") return {link_workload(env)};
    return {change_workload(env)};
  } catch (const std::exception& e) {
    workload_report w;
    w.id = id;
    w.title = id == "7a" ? "link a team to a 10,000-member group" : "add 100 members to a group linked to 10 teams";
    w.errors = 1;
    w.error_kinds["setup"] = 1;
    w.error_samples["setup"] = e.what();
    w.notes.push_back(std::string("failed: ") + e.what());
    return {w};
  }
}

}  // namespace bench
