// Enterprise teams: /enterprises/{enterprise}/teams[/{team}[/memberships…|/organizations…]].
// `group_id` is the SCIM id of an IdP group; members of an enterprise team become members of the
// organizations it is assigned to (github-orgs-teams.md §6).
#include "emuscim/emu/slug.hpp"
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
constexpr std::string_view kEntTeam = "EnterpriseTeam";
constexpr std::size_t kMaxName = 255;

std::optional<std::string> group_scim_id(store::connection& c, const store::enterprise_team_row& t) {
  if (!t.group_seq) return std::nullopt;
  auto g = store::find_group_by_seq(c, *t.group_seq);
  return g ? std::optional<std::string>(g->id) : std::nullopt;
}

ojson render(store::connection& c, const request_context& ctx, const store::enterprise_team_row& t) {
  return github::enterprise_team(ctx, t, group_scim_id(c, t));
}

json event_data(const store::enterprise_team_row& t) {
  return {{"enterprise_team", t.slug}, {"enterprise_team_id", t.id}};
}

// The group a body's "group_id" names: absent -> not given; null -> none; unknown -> 422.
struct group_choice {
  bool given = false;
  std::optional<std::int64_t> seq;
};
scim::result<group_choice> read_group(store::connection& c, const request_context& ctx, const json& body) {
  group_choice out;
  auto it = body.find("group_id");
  if (it == body.end()) return out;
  out.given = true;
  if (it->is_null()) return out;
  if (!it->is_string()) return scim::fail(rest::validation(kEntTeam, "group_id", "invalid", "'group_id' must be a string"));
  auto g = store::find_group_by_scim_id(c, ctx.enterprise.id, it->get<std::string>());
  if (!g) {
    return scim::fail(rest::validation(kEntTeam, "group_id", "invalid",
                                       "No IdP group with SCIM id '" + it->get<std::string>() + "' in this enterprise"));
  }
  out.seq = g->seq;
  return out;
}

scim::status check_name(store::connection& c, const store::enterprise_team_row& t) {
  if (t.slug.size() <= emu::enterprise_team_prefix.size()) {
    return scim::fail(rest::validation(kEntTeam, "name", "invalid", "Name must contain a letter or a digit"));
  }
  auto by_name = store::find_enterprise_team_by_name(c, t.enterprise_id, t.name);
  auto by_slug = store::find_enterprise_team(c, t.enterprise_id, t.slug);
  if ((by_name && by_name->id != t.id) || (by_slug && by_slug->id != t.id && by_slug->slug == t.slug)) {
    return scim::fail(rest::validation(kEntTeam, "name", "already_exists", "Name must be unique in this enterprise"));
  }
  return {};
}

// Applies a new organization_selection_type: "all" assigns every organization of the enterprise,
// "disabled" none; "selected" keeps the current assignments.
void apply_selection(store::write_context& w, reconciler& r, const store::enterprise_team_row& t) {
  if (t.organization_selection_type == "all") {
    for (const auto& o : store::list_orgs(w.db, t.enterprise_id)) r.assign(t, o.id);
  } else if (t.organization_selection_type == "disabled") {
    for (auto org_id : store::enterprise_team_org_ids(w.db, t.id)) r.unassign(t, org_id);
  }
}

std::optional<store::org_row> enterprise_org(store::connection& c, const request_context& ctx, std::string_view login) {
  auto o = store::find_org(c, login);
  if (!o || o->enterprise_id != ctx.enterprise.id) return std::nullopt;
  return o;
}

}  // namespace

scim::result<page_reply> teams_service::enterprise_teams(const request_context& ctx, page_request page) {
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    page_reply out;
    out.total = store::count_enterprise_teams(c, ctx.enterprise.id);
    for (const auto& t :
         store::list_enterprise_teams(c, ctx.enterprise.id, (page.page - 1) * page.per_page, page.per_page)) {
      out.items.push_back(render(c, ctx, t));
    }
    tx.commit();
    return out;
  });
}

scim::result<reply> teams_service::enterprise_team(const request_context& ctx, std::string_view team) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);
    auto t = store::find_enterprise_team(c, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    auto body = render(c, ctx, *t);
    tx.commit();
    return reply{200, std::move(body), {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::create_enterprise_team(const request_context& ctx,
                                                                                  json body) {
  auto job = [ctx, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto name = rest::string_field(body, kEntTeam, "name");
    if (!name) return scim::fail(name.error());
    if (!*name || (*name)->empty()) return scim::fail(rest::validation(kEntTeam, "name", "missing_field"));
    if ((*name)->size() > kMaxName) return scim::fail(rest::validation(kEntTeam, "name", "invalid", "Name is too long"));
    auto description = rest::string_field(body, kEntTeam, "description", true);
    if (!description) return scim::fail(description.error());
    auto selection = rest::enum_field(body, kEntTeam, "organization_selection_type", {"disabled", "selected", "all"});
    if (!selection) return scim::fail(selection.error());
    auto notification = rest::enum_field(body, kEntTeam, "notification_setting",
                                         {"notifications_enabled", "notifications_disabled"});
    if (!notification) return scim::fail(notification.error());
    auto group = read_group(w.db, ctx, body);
    if (!group) return scim::fail(group.error());
    store::enterprise_team_row t;
    t.enterprise_id = ctx.enterprise.id;
    t.name = **name;
    t.slug = std::string(emu::enterprise_team_prefix) + emu::team_slug(t.name);
    t.description = *description;
    t.organization_selection_type = selection->value_or("disabled");
    t.notification_setting = notification->value_or("notifications_enabled");
    t.group_seq = group->seq;
    if (auto ok = check_name(w.db, t); !ok) return scim::fail(ok.error());
    t.created = t.modified = w.now;
    store::insert_enterprise_team(w.db, t);
    audit::record(w, ctx, "enterprise_team.create", t.slug, true, event_data(t));
    {
      reconciler r(w, ctx);
      apply_selection(w, r, t);
      if (t.group_seq) r.sync_enterprise_team(t, t.group_seq);
    }
    return reply{201, render(w.db, ctx, t), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::result<reply>> teams_service::update_enterprise_team(const request_context& ctx,
                                                                                  std::string team, json body) {
  auto job = [ctx, team, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto found = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!found) return scim::fail(rest::not_found());
    auto t = *found;
    auto name = rest::string_field(body, kEntTeam, "name", true);
    if (!name) return scim::fail(name.error());
    auto description = rest::string_field(body, kEntTeam, "description", true);
    if (!description) return scim::fail(description.error());
    auto selection = rest::enum_field(body, kEntTeam, "organization_selection_type", {"disabled", "selected", "all"});
    if (!selection) return scim::fail(selection.error());
    auto notification = rest::enum_field(body, kEntTeam, "notification_setting",
                                         {"notifications_enabled", "notifications_disabled"});
    if (!notification) return scim::fail(notification.error());
    auto group = read_group(w.db, ctx, body);
    if (!group) return scim::fail(group.error());
    if (*name) {
      if ((*name)->empty() || (*name)->size() > kMaxName) {
        return scim::fail(rest::validation(kEntTeam, "name", "invalid", "Name must be 1 to 255 characters"));
      }
      t.name = **name;
      t.slug = std::string(emu::enterprise_team_prefix) + emu::team_slug(t.name);
      if (auto ok = check_name(w.db, t); !ok) return scim::fail(ok.error());
    }
    if (body.contains("description")) t.description = *description;
    if (*selection) t.organization_selection_type = **selection;
    if (*notification) t.notification_setting = **notification;
    if (group->given) t.group_seq = group->seq;
    t.modified = w.now;
    store::update_enterprise_team(w.db, t);
    if (t.name != found->name) {
      auto data = event_data(t);
      data["name"] = t.name;
      data["old_name"] = found->name;
      audit::record(w, ctx, "enterprise_team.rename", t.slug, true, data);
    }
    {
      reconciler r(w, ctx);
      if (t.organization_selection_type != found->organization_selection_type) apply_selection(w, r, t);
      // The new group replaces the old one, or the direct members when there was none; no group
      // any more: the group's members leave.
      if (group->given && (t.group_seq != found->group_seq || t.group_seq)) r.sync_enterprise_team(t, t.group_seq);
    }
    return reply{200, render(w.db, ctx, t), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::status> teams_service::delete_enterprise_team(const request_context& ctx,
                                                                           std::string team) {
  auto job = [ctx, team](store::write_context& w) -> scim::result<bool> {
    auto t = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    {
      reconciler r(w, ctx);
      r.sync_enterprise_team(*t, std::nullopt);
      for (auto org_id : store::enterprise_team_org_ids(w.db, t->id)) r.unassign(*t, org_id);
    }
    audit::record(w, ctx, "enterprise_team.destroy", t->slug, true, event_data(*t));
    store::delete_enterprise_team_row(w.db, t->id);
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

scim::result<page_reply> teams_service::enterprise_team_members(const request_context& ctx, std::string_view team,
                                                                page_request page) {
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    auto t = store::find_enterprise_team(c, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    page_reply out;
    out.total = t->member_count;
    for (auto id : store::enterprise_team_member_ids(c, t->id, (page.page - 1) * page.per_page, page.per_page)) {
      if (auto u = store::find_managed_user(c, id)) out.items.push_back(github::simple_user(ctx, *u));
    }
    tx.commit();
    return out;
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::change_enterprise_team_members(const request_context& ctx,
                                                                                          std::string team, json body,
                                                                                          bool add) {
  auto job = [ctx, team, body = std::move(body), add](store::write_context& w) -> scim::result<reply> {
    auto usernames = rest::string_list(body, kEntTeam, "usernames", true);
    if (!usernames) return scim::fail(usernames.error());
    auto t = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    if (t->group_seq) return scim::fail(rest::idp_managed("enterprise team " + t->slug));
    std::vector<store::account_ref> users;
    for (const auto& login : *usernames) {
      auto u = store::find_managed_user_by_login(w.db, ctx.enterprise.id, login);
      if (!u) return scim::fail(rest::validation(kEntTeam, "usernames", "invalid", "No such user: " + login));
      users.push_back(std::move(*u));
    }
    ojson out = ojson::array();
    reconciler r(w, ctx);
    for (const auto& u : users) {
      if (add ? r.add_to_enterprise_team(*t, u.id) : r.remove_from_enterprise_team(*t, u.id)) {
        out.push_back(github::simple_user(ctx, u));
      }
    }
    return reply{200, std::move(out), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

scim::result<reply> teams_service::enterprise_team_member(const request_context& ctx, std::string_view team,
                                                          std::string_view username) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    auto t = store::find_enterprise_team(c, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    auto u = store::find_managed_user_by_login(c, ctx.enterprise.id, username);
    if (!u || !store::is_enterprise_team_member(c, t->id, u->id)) return scim::fail(rest::not_found());
    return reply{200, github::simple_user(ctx, *u), {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::set_enterprise_team_member(const request_context& ctx,
                                                                                      std::string team,
                                                                                      std::string username, bool add) {
  auto job = [ctx, team, username, add](store::write_context& w) -> scim::result<reply> {
    auto t = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    if (t->group_seq) return scim::fail(rest::idp_managed("enterprise team " + t->slug));
    auto u = store::find_managed_user_by_login(w.db, ctx.enterprise.id, username);
    if (!u) return scim::fail(rest::not_found());
    reconciler r(w, ctx);
    if (add) {
      r.add_to_enterprise_team(*t, u->id);
      return reply{201, github::simple_user(ctx, *u), {}};
    }
    r.remove_from_enterprise_team(*t, u->id);
    return reply{204, nullptr, {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

scim::result<page_reply> teams_service::enterprise_team_orgs(const request_context& ctx, std::string_view team,
                                                             page_request page) {
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    auto t = store::find_enterprise_team(c, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    const auto ids = store::enterprise_team_org_ids(c, t->id);
    page_reply out;
    out.total = static_cast<std::int64_t>(ids.size());
    for (auto i = (page.page - 1) * page.per_page; i < out.total && i < page.page * page.per_page; ++i) {
      if (auto o = store::find_org_by_id(c, ids[static_cast<std::size_t>(i)])) {
        out.items.push_back(github::organization_simple(ctx, *o));
      }
    }
    tx.commit();
    return out;
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::change_enterprise_team_orgs(const request_context& ctx,
                                                                                       std::string team, json body,
                                                                                       bool add) {
  auto job = [ctx, team, body = std::move(body), add](store::write_context& w) -> scim::result<reply> {
    auto slugs = rest::string_list(body, kEntTeam, "organization_slugs", true);
    if (!slugs) return scim::fail(slugs.error());
    auto t = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    std::vector<store::org_row> orgs;
    for (const auto& login : *slugs) {
      auto o = enterprise_org(w.db, ctx, login);
      if (!o) {
        return scim::fail(rest::validation(kEntTeam, "organization_slugs", "invalid",
                                           "No organization '" + login + "' in this enterprise"));
      }
      orgs.push_back(std::move(*o));
    }
    // An explicit assignment makes the selection explicit.
    if (t->organization_selection_type != "selected") {
      t->organization_selection_type = "selected";
      t->modified = w.now;
      store::update_enterprise_team(w.db, *t);
    }
    ojson out = ojson::array();
    reconciler r(w, ctx);
    for (const auto& o : orgs) {
      if (add) {
        r.assign(*t, o.id);
        out.push_back(github::organization_simple(ctx, o));
      } else {
        r.unassign(*t, o.id);
      }
    }
    if (!add) return reply{204, nullptr, {}};
    return reply{200, std::move(out), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

scim::result<reply> teams_service::enterprise_team_org(const request_context& ctx, std::string_view team,
                                                       std::string_view org) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    auto t = store::find_enterprise_team(c, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    auto o = enterprise_org(c, ctx, org);
    if (!o || !store::is_enterprise_team_org(c, t->id, o->id)) return scim::fail(rest::not_found());
    return reply{200, github::organization_simple(ctx, *o), {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::set_enterprise_team_org(const request_context& ctx,
                                                                                   std::string team, std::string org,
                                                                                   bool add) {
  auto job = [ctx, team, org, add](store::write_context& w) -> scim::result<reply> {
    auto t = store::find_enterprise_team(w.db, ctx.enterprise.id, team);
    if (!t) return scim::fail(rest::not_found());
    auto o = enterprise_org(w.db, ctx, org);
    if (!o) return scim::fail(rest::not_found());
    if (t->organization_selection_type != "selected") {
      t->organization_selection_type = "selected";
      t->modified = w.now;
      store::update_enterprise_team(w.db, *t);
    }
    reconciler r(w, ctx);
    if (add) {
      r.assign(*t, o->id);
      return reply{201, github::organization_simple(ctx, *o), {}};
    }
    r.unassign(*t, o->id);
    return reply{204, nullptr, {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

}  // namespace emuscim::service
