// External (IdP) groups of an EMU organization and team links:
// /orgs/{org}/external-groups, /orgs/{org}/external-group/{group_id}, /orgs/{org}/teams/{team_slug}/external-groups.
// group_id is the group's GitHub numeric id (groups.seq).
#include "emuscim/service/teams_service.hpp"
#include "emuscim/store/database.hpp"
#include "service/audit.hpp"
#include "service/github_json.hpp"
#include "service/reconcile.hpp"
#include "service/teams_common.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;
constexpr std::string_view kGroup = "ExternalGroup";

ojson group_line(const store::group_ref& g) {
  return {{"group_id", g.seq}, {"group_name", g.display_name}, {"updated_at", g.modified}};
}

// external-group: the group, the organization's teams linked to it, one page of its members.
page_reply group_body(store::connection& c, const request_context& ctx, const store::group_ref& g, page_request p) {
  ojson teams = ojson::array();
  for (const auto& t : store::teams_linked_to(c, g.seq)) {
    if (t.org_id == ctx.org->id) teams.push_back({{"team_id", t.id}, {"team_name", t.name}});
  }
  ojson members = ojson::array();
  for (const auto& u : store::active_group_members(c, g.seq, (p.page - 1) * p.per_page, p.per_page)) {
    members.push_back({{"member_id", u.id},
                       {"member_login", u.login},
                       {"member_name", u.name.value_or("")},
                       {"member_email", u.email.value_or("")}});
  }
  page_reply out;
  out.items = {{"group_id", g.seq},
               {"group_name", g.display_name},
               {"updated_at", g.modified},
               {"teams", std::move(teams)},
               {"members", std::move(members)}};
  out.total = store::count_active_group_members(c, g.seq);
  return out;
}

// External groups exist only for the organizations of an enterprise with managed users.
scim::status emu_only(const request_context& ctx) {
  if (!ctx.org || !ctx.org->enterprise_id) return scim::fail(rest::not_found());
  return {};
}

std::string team_path(const request_context& ctx, std::string_view slug) {
  return ctx.org->login + "/" + std::string(slug);
}

}  // namespace

scim::result<cursor_reply> teams_service::external_groups(const request_context& ctx, std::string_view display_name,
                                                          std::optional<std::int64_t> page_token,
                                                          std::int64_t per_page) {
  if (auto ok = emu_only(ctx); !ok) return scim::fail(ok.error());
  auto rows = db_.read([&](store::connection& c) {
    return store::list_groups_from(c, ctx.enterprise.id, display_name, page_token.value_or(0), per_page + 1);
  });
  cursor_reply out;
  ojson groups = ojson::array();
  for (std::size_t i = 0; i < rows.size() && static_cast<std::int64_t>(i) < per_page; ++i) {
    groups.push_back(group_line(rows[i]));
  }
  if (static_cast<std::int64_t>(rows.size()) > per_page) out.next = rows.back().seq;
  out.body = {{"groups", std::move(groups)}};
  return out;
}

scim::result<page_reply> teams_service::external_group(const request_context& ctx, std::int64_t group_id,
                                                       page_request members) {
  if (auto ok = emu_only(ctx); !ok) return scim::fail(ok.error());
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    auto g = store::find_group_by_seq(c, group_id);
    if (!g || g->enterprise_id != ctx.enterprise.id) return scim::fail(rest::not_found());
    auto out = group_body(c, ctx, *g, members);
    tx.commit();
    return out;
  });
}

scim::result<reply> teams_service::team_external_groups(const request_context& ctx, std::string_view slug) {
  if (auto ok = emu_only(ctx); !ok) return scim::fail(ok.error());
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);
    auto t = store::find_team_by_slug(c, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    ojson groups = ojson::array();
    if (t->group_seq) {
      if (auto g = store::find_group_by_seq(c, *t->group_seq)) groups.push_back(group_line(*g));
    }
    tx.commit();
    return reply{200, ojson{{"groups", std::move(groups)}}, {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::link_external_group(const request_context& ctx,
                                                                               std::string slug, json body) {
  if (auto ok = emu_only(ctx); !ok) co_return scim::fail(ok.error());
  auto job = [ctx, slug, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto group_id = rest::int_field(body, kGroup, "group_id");
    if (!group_id) return scim::fail(group_id.error());
    if (!*group_id) return scim::fail(rest::validation(kGroup, "group_id", "missing_field"));
    auto t = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    auto g = store::find_group_by_seq(w.db, **group_id);
    if (!g || g->enterprise_id != ctx.enterprise.id) {
      return scim::fail(rest::validation(kGroup, "group_id", "invalid",
                                         "No external group " + std::to_string(**group_id) + " in this enterprise"));
    }
    if (t->parent_id || !store::child_teams(w.db, t->id).empty()) {
      return scim::fail(rest::validation(kGroup, "group_id", "invalid",
                                         "Teams connected to IdP groups cannot be parents of other teams nor a child "
                                         "of another team"));
    }
    if (!t->group_seq && t->member_count > 0) {
      return scim::fail(rest::validation(kGroup, "group_id", "invalid",
                                         "The team has members added manually: remove them before connecting it to "
                                         "an IdP group"));
    }
    if (t->group_seq != g->seq) {
      const bool relink = t->group_seq.has_value();
      t->group_seq = g->seq;
      t->modified = w.now;
      store::update_team(w.db, *t);
      {
        reconciler r(w, ctx);
        r.sync_team(*t, g->seq);
      }
      const auto path = team_path(ctx, t->slug);
      audit::record_for_org(w, ctx, t->org_id, "external_group.link", path,
                            {{"external_group_id", g->seq}, {"external_group", g->display_name},
                             {"scim_group_id", g->id}, {"team", path}, {"relink", relink}});
    }
    auto page = group_body(w.db, ctx, *g, page_request{1, 30});
    return reply{200, std::move(page.items), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::status> teams_service::unlink_external_group(const request_context& ctx,
                                                                          std::string slug) {
  if (auto ok = emu_only(ctx); !ok) co_return scim::fail(ok.error());
  auto job = [ctx, slug](store::write_context& w) -> scim::result<bool> {
    auto t = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    if (!t->group_seq) return true;  // nothing linked: already what was asked
    const auto group_seq = *t->group_seq;
    {
      reconciler r(w, ctx);
      r.sync_team(*t, std::nullopt);  // the group's members leave, with the memberships they got through it
    }
    t->group_seq.reset();
    t->modified = w.now;
    store::update_team(w.db, *t);
    const auto g = store::find_group_by_seq(w.db, group_seq);
    const auto path = team_path(ctx, t->slug);
    audit::record_for_org(w, ctx, t->org_id, "external_group.unlink", path,
                          {{"external_group_id", group_seq},
                           {"external_group", g ? g->display_name : std::string()},
                           {"team", path}});
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

}  // namespace emuscim::service
