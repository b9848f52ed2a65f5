#include "emuscim/service/org_identity_service.hpp"

#include "audit.hpp"
#include "emuscim/base/text.hpp"
#include "emuscim/service/org_rules.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/org_scim.hpp"
#include "emuscim/store/orgs.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;

scim::error org_not_found(std::string_view login) {
  return scim::not_found("Organization '" + std::string(login) + "' not found");
}

// Invitations and SCIM identities exist only in standalone organizations.
scim::result<store::org_row> standalone_org(store::connection& c, std::string_view login) {
  auto org = store::find_org(c, login);
  if (!org) return scim::fail(org_not_found(login));
  if (org->enterprise_id) {
    return scim::fail(scim::not_found("Organization '" + org->login +
                                      "' belongs to an enterprise with managed users: it has no invitations and "
                                      "no org-level SCIM identities"));
  }
  return *org;
}

org_ref to_ref(const store::org_row& o) { return {o.id, o.login, o.enterprise_id, o.sso}; }

github_account to_account(const store::account_row& a) { return {a.id, a.login, a.name, a.email}; }

invitation_info to_info(store::connection& c, const store::org_invitation_row& row) {
  invitation_info out{row.id, std::nullopt, row.email, row.role, row.source, row.created, std::nullopt};
  if (row.account_id) {
    if (auto a = store::find_account_by_id(c, *row.account_id)) out.login = a->login;
  }
  if (row.identity_seq) {
    if (auto i = store::find_org_identity_by_seq(c, *row.identity_seq)) out.scim_user_id = i->id;
  }
  return out;
}

scim::error invitation_not_found(const invitation_ref& which) {
  if (which.id) return scim::not_found("Invitation " + std::to_string(*which.id) + " not found");
  return scim::not_found("No pending invitation to '" + which.email.value_or("") + "'");
}

}  // namespace

github_account org_owner(const org_ref& org) {
  return {first_owner_id + org.id, org.login + "_admin", std::nullopt, std::nullopt};
}

invitation_list org_identity_service::invitations(const org_ref& org, const invitation_filter& f) {
  return db_.read([&](store::connection& c) {
    store::transaction tx(c);  // count and rows from one snapshot
    const std::int64_t per_page = std::max<std::int64_t>(f.per_page, 1);
    auto page = store::list_org_invitations(
        c, org.id, {f.role, f.source, (std::max<std::int64_t>(f.page, 1) - 1) * per_page, per_page});
    invitation_list out{page.total, {}};
    for (const auto& row : page.rows) out.items.push_back(to_info(c, row));
    tx.commit();
    return out;
  });
}

boost::asio::awaitable<scim::status> org_identity_service::cancel_invitation(const request_context& ctx,
                                                                            std::int64_t invitation_id) {
  auto job = [ctx, invitation_id](store::write_context& w) -> scim::result<bool> {
    auto inv = store::find_org_invitation(w.db, ctx.org->id, invitation_id);
    if (!inv) return scim::fail(scim::not_found("Not Found"));
    const auto info = to_info(w.db, *inv);
    store::delete_org_invitation(w.db, inv->id);
    audit::record(w, ctx, "org.cancel_invitation", info.scim_user_id.value_or(""), true,
                  {{"invitation_id", inv->id},
                   {"email", inv->email.value_or("")},
                   {"invitee_email", inv->email.value_or("")},
                   {"user", info.login ? json(*info.login) : json(nullptr)}});
    ctx.note("invitation " + std::to_string(inv->id) + " cancelled" +
             (info.scim_user_id ? "; SCIM identity " + *info.scim_user_id + " stays, unlinked" : std::string()));
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

boost::asio::awaitable<scim::result<acceptance>> org_identity_service::accept(const request_context& caller,
                                                                              std::string org_login,
                                                                              invitation_ref which,
                                                                              std::optional<std::string> login) {
  if (login && !org_rules::valid_login(*login)) {
    co_return scim::fail(scim::invalid_value("'login' must be " + std::string(org_rules::login_rule)));
  }
  auto job = [caller, org_login, which, login](store::write_context& w) -> scim::result<acceptance> {
    auto org = standalone_org(w.db, org_login);
    if (!org) return scim::fail(org.error());
    std::optional<store::org_invitation_row> inv;
    if (which.id) {
      inv = store::find_org_invitation(w.db, org->id, *which.id);
    } else if (which.email) {
      auto found = store::find_org_invitations_by_email(w.db, org->id, *which.email);
      if (!found.empty()) inv = found.front();
    }
    if (!inv) return scim::fail(invitation_not_found(which));
    acceptance out;
    out.invitation = to_info(w.db, *inv);

    // Who accepts: the account the invitation names, or the login given.
    std::optional<store::account_row> account;
    if (inv->account_id) account = store::find_account_by_id(w.db, *inv->account_id);
    if (account && login && !base::iequals(account->login, *login)) {
      return scim::fail(scim::invalid_value("Invitation " + std::to_string(inv->id) + " is for @" + account->login +
                                            ", not @" + *login));
    }
    if (!account) {
      if (!login) {
        return scim::fail(scim::invalid_value(
            "'login' is required: the GitHub account that accepts invitation " + std::to_string(inv->id)));
      }
      if (auto taken = store::find_org(w.db, *login)) {
        return scim::fail(
            scim::uniqueness("The login '" + *login + "' is taken by organization '" + taken->login + "'"));
      }
      account = store::find_account(w.db, *login);
      if (!account) {
        std::optional<std::string> name;
        std::optional<store::org_identity_row> identity;
        if (inv->identity_seq) identity = store::find_org_identity_by_seq(w.db, *inv->identity_seq);
        if (identity) {
          auto shown = org_rules::display_name(json::parse(identity->doc, nullptr, false));
          if (!shown.empty()) name = std::move(shown);
        }
        account = store::insert_account(w.db, *login, name, inv->email, w.now);
        out.account_created = true;
      }
    }
    out.account = to_account(*account);

    request_context ctx;
    ctx.org = to_ref(*org);
    ctx.request_id = caller.request_id;
    ctx.base_url = caller.base_url;
    ctx.trace = caller.trace;

    // Link the SCIM identity (SAML NameID and userName match: the person signed in through the IdP).
    if (inv->identity_seq) {
      if (auto identity = store::find_org_identity_by_seq(w.db, *inv->identity_seq)) {
        if (auto other = store::find_org_identity_by_account(w.db, org->id, account->id);
            other && other->seq != identity->seq) {
          return scim::fail(scim::uniqueness("@" + account->login + " is already linked to SCIM identity " + other->id +
                                             " of organization '" + org->login + "'"));
        }
        identity->account_id = account->id;
        auto emails = org_rules::email_values(json::parse(identity->doc, nullptr, false));
        store::update_org_identity(w.db, *identity, emails);  // `modified` stays: the SCIM resource did not change
        out.scim_user_id = identity->id;
      }
    }
    store::delete_org_invitation(w.db, inv->id);
    const bool already = store::find_org_member(w.db, org->id, account->id).has_value();
    if (!already) {
      store::upsert_org_member(w.db, {org->id, account->id, "member", true, w.now});
      audit::record(w, ctx, "org.add_member", out.scim_user_id.value_or(""), true,
                    {{"actor", account->login},
                     {"user", account->login},
                     {"user_id", account->id},
                     {"permission", "member"},
                     {"invitation_id", inv->id},
                     {"scim_user_id", out.scim_user_id ? json(*out.scim_user_id) : json(nullptr)}});
    }
    out.new_member = !already;
    ctx.note("@" + account->login + (out.account_created ? " (new account)" : "") + " accepted invitation " +
             std::to_string(inv->id) + (out.scim_user_id ? ", linked to SCIM identity " + *out.scim_user_id : "") +
             (already ? "; already a member" : "; now a member of " + org->login));
    return out;
  };
  co_return co_await db_.write<acceptance>(std::move(job));
}

scim::result<std::vector<org_identity_view>> org_identity_service::identities(std::string_view org_login) {
  return db_.read([&](store::connection& c) -> scim::result<std::vector<org_identity_view>> {
    store::transaction tx(c);
    auto org = standalone_org(c, org_login);
    if (!org) return scim::fail(org.error());
    std::vector<org_identity_view> out;
    constexpr std::int64_t kBatch = 500;
    for (std::int64_t after = 0;;) {
      auto page = store::list_org_identities(c, org->id, 0, kBatch, after);
      for (const auto& row : page.rows) {
        org_identity_view v{row.id, row.user_name, row.external_id, row.email, "unlinked", std::nullopt,
                            std::nullopt, row.created, row.modified};
        if (row.account_id) {
          v.state = "linked";
          if (auto a = store::find_account_by_id(c, *row.account_id)) v.login = a->login;
        } else if (auto inv = store::find_org_invitation_by_identity(c, row.seq)) {
          v.state = "pending";
          v.invitation_id = inv->id;
          if (inv->account_id) {
            if (auto a = store::find_account_by_id(c, *inv->account_id)) v.login = a->login;
          }
        }
        out.push_back(std::move(v));
      }
      if (static_cast<std::int64_t>(page.rows.size()) < kBatch) break;
      after = page.last_seq;
    }
    tx.commit();
    return out;
  });
}

}  // namespace emuscim::service
