// Organization teams and team memberships: /orgs/{org}/teams[/{team_slug}[/members|/memberships/{username}]].
#include "emuscim/service/teams_service.hpp"

#include "emuscim/emu/slug.hpp"
#include "emuscim/store/database.hpp"
#include "service/audit.hpp"
#include "service/github_json.hpp"
#include "service/reconcile.hpp"
#include "service/teams_common.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;
constexpr std::string_view kTeam = "Team";
constexpr std::size_t kMaxName = 255;

std::optional<store::team_row> parent_of(store::connection& c, const store::team_row& t) {
  if (!t.parent_id) return std::nullopt;
  return store::find_team(c, *t.parent_id);
}

ojson render_full(store::connection& c, const request_context& ctx, const store::team_row& t) {
  return github::team_full(ctx, t, rest::org_of(c, ctx), parent_of(c, t));
}

std::string team_path(const request_context& ctx, std::string_view slug) {
  return ctx.org->login + "/" + std::string(slug);
}

// True when `candidate` is `team` or one of its descendants (a parent there would make a cycle).
bool in_subtree(store::connection& c, const store::team_row& team, std::int64_t candidate) {
  for (std::optional<std::int64_t> at = candidate; at;) {
    if (*at == team.id) return true;
    auto row = store::find_team(c, *at);
    at = row ? row->parent_id : std::nullopt;
  }
  return false;
}

// The parent a body names (parent_team_id wins over parent_team_slug): nullopt when neither is
// given; a present JSON null -> "no parent" (update only).
struct parent_choice {
  bool given = false;
  std::optional<store::team_row> team;
};

scim::result<parent_choice> read_parent(store::connection& c, const request_context& ctx, const json& body) {
  parent_choice out;
  auto id = rest::int_field(body, kTeam, "parent_team_id");
  if (!id) return scim::fail(id.error());
  auto slug = rest::string_field(body, kTeam, "parent_team_slug", true);
  if (!slug) return scim::fail(slug.error());
  const bool id_null = body.contains("parent_team_id") && body["parent_team_id"].is_null();
  const bool slug_null = body.contains("parent_team_slug") && body["parent_team_slug"].is_null();
  if (*id) {
    out.given = true;
    out.team = store::find_team(c, **id);
    if (!out.team || out.team->org_id != ctx.org->id) {
      return scim::fail(rest::validation(kTeam, "parent_team_id", "invalid", "Parent team not found"));
    }
  } else if (*slug) {
    out.given = true;
    out.team = store::find_team_by_slug(c, ctx.org->id, **slug);
    if (!out.team) return scim::fail(rest::validation(kTeam, "parent_team_slug", "invalid", "Parent team not found"));
  } else if (id_null || slug_null) {
    out.given = true;
  }
  return out;
}

// GitHub's nesting rules, with emuscim's one addition: teams linked to IdP groups cannot nest.
scim::status check_nesting(store::connection& c, const store::team_row& team, const store::team_row& parent) {
  if (team.id != 0 && in_subtree(c, team, parent.id)) {
    return scim::fail(rest::validation(kTeam, "parent_team_id", "invalid",
                                       "A team cannot be its own parent or a child of its descendants"));
  }
  if (team.group_seq || parent.group_seq) {
    return scim::fail(rest::validation(kTeam, "parent_team_id", "invalid",
                                       "Teams connected to IdP groups cannot be parents of other teams nor a child "
                                       "of another team"));
  }
  if (parent.privacy == "secret") {
    return scim::fail(rest::validation(kTeam, "parent_team_id", "invalid",
                                       "A parent team cannot be secret: make it closed first"));
  }
  if (team.privacy == "secret") {
    return scim::fail(rest::validation(kTeam, "privacy", "invalid", "A nested team cannot be secret"));
  }
  return {};
}

scim::status check_name(store::connection& c, const store::team_row& team) {
  if (team.slug.empty()) {
    return scim::fail(rest::validation(kTeam, "name", "invalid", "Name must contain a letter or a digit"));
  }
  auto same_name = store::find_team_by_name(c, team.org_id, team.name);
  auto same_slug = store::find_team_by_slug(c, team.org_id, team.slug);
  if ((same_name && same_name->id != team.id) || (same_slug && same_slug->id != team.id)) {
    return scim::fail(rest::validation(kTeam, "name", "already_exists", "Name must be unique for this org"));
  }
  return {};
}

}  // namespace

scim::result<page_reply> teams_service::teams(const request_context& ctx, std::string_view team_type,
                                              page_request page) {
  if (team_type != "all" && team_type != "organization" && team_type != "enterprise") {
    return scim::fail(rest::validation(kTeam, "team_type", "invalid", "team_type must be one of all, enterprise, organization"));
  }
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    page_reply out;
    if (team_type == "enterprise") return out;  // enterprise teams are listed at /enterprises/{e}/teams
    const auto org = rest::org_of(c, ctx);
    out.total = store::count_teams(c, org.id);
    for (const auto& t : store::list_teams(c, org.id, (page.page - 1) * page.per_page, page.per_page)) {
      out.items.push_back(github::team(ctx, t, org, parent_of(c, t)));
    }
    tx.commit();
    return out;
  });
}

scim::result<reply> teams_service::team(const request_context& ctx, std::string_view slug) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);
    auto t = store::find_team_by_slug(c, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    auto body = render_full(c, ctx, *t);
    tx.commit();
    return reply{200, std::move(body), {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::create_team(const request_context& ctx, json body) {
  auto job = [ctx, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto name = rest::string_field(body, kTeam, "name");
    if (!name) return scim::fail(name.error());
    if (!*name || (*name)->empty()) return scim::fail(rest::validation(kTeam, "name", "missing_field"));
    if ((*name)->size() > kMaxName) return scim::fail(rest::validation(kTeam, "name", "invalid", "Name is too long"));
    auto description = rest::string_field(body, kTeam, "description", true);
    if (!description) return scim::fail(description.error());
    auto privacy = rest::enum_field(body, kTeam, "privacy", {"secret", "closed"});
    if (!privacy) return scim::fail(privacy.error());
    auto notification = rest::enum_field(body, kTeam, "notification_setting",
                                         {"notifications_enabled", "notifications_disabled"});
    if (!notification) return scim::fail(notification.error());
    auto permission = rest::enum_field(body, kTeam, "permission", {"pull", "push"});
    if (!permission) return scim::fail(permission.error());
    auto maintainers = rest::string_list(body, kTeam, "maintainers", false);
    if (!maintainers) return scim::fail(maintainers.error());
    if (auto repos = rest::string_list(body, kTeam, "repo_names", false); !repos) return scim::fail(repos.error());
    auto parent = read_parent(w.db, ctx, body);
    if (!parent) return scim::fail(parent.error());

    store::team_row t;
    t.org_id = ctx.org->id;
    t.name = **name;
    t.slug = emu::team_slug(t.name);
    t.description = *description;
    // GitHub's defaults: secret, but closed for a child team.
    t.privacy = privacy->value_or(parent->team ? "closed" : "secret");
    t.notification_setting = notification->value_or("notifications_enabled");
    t.permission = permission->value_or("pull");
    if (auto ok = check_name(w.db, t); !ok) return scim::fail(ok.error());
    if (parent->team) {
      if (auto ok = check_nesting(w.db, t, *parent->team); !ok) return scim::fail(ok.error());
      t.parent_id = parent->team->id;
    }
    std::vector<std::int64_t> maintainer_ids;
    for (const auto& login : *maintainers) {
      auto u = rest::user_by_login(w.db, ctx, login);
      if (!u) return scim::fail(rest::validation(kTeam, "maintainers", "invalid", "No such user: " + login));
      maintainer_ids.push_back(u->id);
    }
    t.created = t.modified = w.now;
    store::insert_team(w.db, t);
    audit::record_for_org(w, ctx, t.org_id, "team.create", team_path(ctx, t.slug),
                          {{"team", team_path(ctx, t.slug)}, {"team_id", t.id}, {"org", ctx.org->login},
                           {"org_id", ctx.org->id}});
    {
      reconciler r(w, ctx);
      for (auto id : maintainer_ids) r.add_to_team(t, id, "maintainer");
    }
    t = *store::find_team(w.db, t.id);
    return reply{201, render_full(w.db, ctx, t), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::result<reply>> teams_service::update_team(const request_context& ctx, std::string slug,
                                                                       json body) {
  auto job = [ctx, slug, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto found = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!found) return scim::fail(rest::not_found());
    store::team_row t = *found;
    auto name = rest::string_field(body, kTeam, "name");
    if (!name) return scim::fail(name.error());
    auto description = rest::string_field(body, kTeam, "description", true);
    if (!description) return scim::fail(description.error());
    auto privacy = rest::enum_field(body, kTeam, "privacy", {"secret", "closed"});
    if (!privacy) return scim::fail(privacy.error());
    auto notification = rest::enum_field(body, kTeam, "notification_setting",
                                         {"notifications_enabled", "notifications_disabled"});
    if (!notification) return scim::fail(notification.error());
    auto permission = rest::enum_field(body, kTeam, "permission", {"pull", "push", "admin"});
    if (!permission) return scim::fail(permission.error());
    auto parent = read_parent(w.db, ctx, body);
    if (!parent) return scim::fail(parent.error());

    if (*name) {
      if ((*name)->empty()) return scim::fail(rest::validation(kTeam, "name", "missing_field"));
      if ((*name)->size() > kMaxName) return scim::fail(rest::validation(kTeam, "name", "invalid", "Name is too long"));
      t.name = **name;
      t.slug = emu::team_slug(t.name);  // a rename changes the slug
      if (auto ok = check_name(w.db, t); !ok) return scim::fail(ok.error());
    }
    if (body.contains("description")) t.description = *description;
    if (*privacy) t.privacy = **privacy;
    if (*notification) t.notification_setting = **notification;
    if (*permission) t.permission = **permission;
    if (parent->given) t.parent_id = parent->team ? std::optional<std::int64_t>(parent->team->id) : std::nullopt;
    if (t.parent_id) {
      auto p = parent->team ? parent->team : store::find_team(w.db, *t.parent_id);
      if (p) {
        if (auto ok = check_nesting(w.db, t, *p); !ok) return scim::fail(ok.error());
      }
    }
    if (t.privacy == "secret" && !store::child_teams(w.db, t.id).empty()) {
      return scim::fail(rest::validation(kTeam, "privacy", "invalid", "A parent team cannot be secret"));
    }
    t.modified = w.now;
    store::update_team(w.db, t);
    const auto path = team_path(ctx, t.slug);
    json base = {{"team", path}, {"team_id", t.id}, {"org", ctx.org->login}, {"org_id", ctx.org->id}};
    if (t.name != found->name) {
      json data = base;
      data["name"] = t.name;
      data["old_name"] = found->name;
      audit::record_for_org(w, ctx, t.org_id, "team.rename", path, data);
    }
    if (t.parent_id != found->parent_id) audit::record_for_org(w, ctx, t.org_id, "team.change_parent_team", path, base);
    if (t.privacy != found->privacy) audit::record_for_org(w, ctx, t.org_id, "team.change_privacy", path, base);
    return reply{200, render_full(w.db, ctx, t), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::status> teams_service::delete_team(const request_context& ctx, std::string slug) {
  auto job = [ctx, slug](store::write_context& w) -> scim::result<bool> {
    auto t = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    // An owner deleting a parent deletes its children too; their members leave first so the
    // organization memberships they gave are settled.
    std::vector<store::team_row> doomed{*t};
    for (std::size_t i = 0; i < doomed.size(); ++i) {
      for (auto& child : store::child_teams(w.db, doomed[i].id)) doomed.push_back(std::move(child));
    }
    {
      reconciler r(w, ctx);
      r.empty_subtree(*t);
    }
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
      const auto path = team_path(ctx, it->slug);
      audit::record_for_org(w, ctx, it->org_id, "team.destroy", path,
                            {{"team", path}, {"team_id", it->id}, {"org", ctx.org->login}, {"org_id", ctx.org->id}});
      store::delete_team_row(w.db, it->id);
    }
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

scim::result<page_reply> teams_service::team_members(const request_context& ctx, std::string_view slug,
                                                     std::string_view role_filter, page_request page) {
  if (role_filter != "all" && role_filter != "member" && role_filter != "maintainer") {
    return scim::fail(rest::validation(kTeam, "role", "invalid", "role must be one of all, member, maintainer"));
  }
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    auto t = store::find_team_by_slug(c, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    page_reply out;
    out.total = store::count_subtree_members(c, t->id, role_filter);
    for (const auto& m :
         store::list_subtree_members(c, t->id, role_filter, (page.page - 1) * page.per_page, page.per_page)) {
      auto u = rest::user_by_id(c, m.user_id);
      if (!u) continue;
      auto item = github::simple_user(ctx, *u);
      item["role"] = m.role;
      item["inherited"] = m.inherited;
      out.items.push_back(std::move(item));
    }
    tx.commit();
    return out;
  });
}

namespace {
ojson membership_body(const request_context& ctx, const store::team_row& t, std::string_view login,
                      std::string_view role) {
  return {{"url", github::team_url(ctx, t) + "/memberships/" + std::string(login)},
          {"role", role},
          {"state", "active"}};
}
}  // namespace

scim::result<reply> teams_service::team_membership(const request_context& ctx, std::string_view slug,
                                                   std::string_view username) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);
    auto t = store::find_team_by_slug(c, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    auto u = rest::user_by_login(c, ctx, username);
    if (!u) return scim::fail(rest::not_found());
    auto m = store::find_subtree_member(c, t->id, u->id);
    if (!m) return scim::fail(rest::not_found());
    auto body = membership_body(ctx, *t, u->login, m->role);
    tx.commit();
    return reply{200, std::move(body), {}};
  });
}

boost::asio::awaitable<scim::result<reply>> teams_service::set_team_membership(const request_context& ctx,
                                                                               std::string slug, std::string username,
                                                                               json body) {
  auto job = [ctx, slug, username, body = std::move(body)](store::write_context& w) -> scim::result<reply> {
    auto role = rest::enum_field(body, kTeam, "role", {"member", "maintainer"});
    if (!role) return scim::fail(role.error());
    auto t = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    if (t->group_seq) return scim::fail(rest::idp_managed("team " + team_path(ctx, t->slug)));
    auto u = rest::user_by_login(w.db, ctx, username);
    if (!u) {
      if (store::find_org(w.db, username)) {
        return scim::fail(rest::validation(kTeam, "username", "invalid", "An organization cannot be added to a team"));
      }
      return scim::fail(rest::not_found());
    }
    const std::string wanted = role->value_or("member");
    if (ctx.org && !ctx.org->enterprise_id && !store::find_membership(w.db, ctx.org->id, u->id)) {
      // A standalone organization invites people (org-level SCIM, invitations); a team adds members only.
      return scim::fail(rest::validation(kTeam, "username", "invalid",
                                         u->login + " is not a member of " + ctx.org->login));
    }
    if (auto existing = store::find_team_member(w.db, t->id, u->id)) {
      if (existing->role != wanted) {
        store::set_team_member_role(w.db, t->id, u->id, wanted);
        const auto path = team_path(ctx, t->slug);
        audit::record_for_org(w, ctx, t->org_id,
                              wanted == "maintainer" ? "team.promote_maintainer" : "team.demote_maintainer", path,
                              {{"team", path}, {"user", u->login}, {"user_id", u->id}, {"org", ctx.org->login},
                               {"org_id", ctx.org->id}});
      }
    } else {
      reconciler r(w, ctx);
      r.add_to_team(*t, u->id, wanted);
    }
    return reply{200, membership_body(ctx, *t, u->login, wanted), {}};
  };
  co_return co_await db_.write<reply>(std::move(job));
}

boost::asio::awaitable<scim::status> teams_service::remove_team_membership(const request_context& ctx,
                                                                           std::string slug, std::string username) {
  auto job = [ctx, slug, username](store::write_context& w) -> scim::result<bool> {
    auto t = store::find_team_by_slug(w.db, ctx.org->id, slug);
    if (!t) return scim::fail(rest::not_found());
    if (t->group_seq) return scim::fail(rest::idp_managed("team " + team_path(ctx, t->slug)));
    auto u = rest::user_by_login(w.db, ctx, username);
    if (!u) return scim::fail(rest::not_found());
    reconciler r(w, ctx);
    if (!r.remove_from_team(*t, u->id)) return scim::fail(rest::not_found());
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

}  // namespace emuscim::service
