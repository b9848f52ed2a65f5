// Org-level SCIM rules (github-orgs-teams.md §8; docs/BEHAVIOUR.md "Org-level SCIM") for the users
// engine: the pure rule set is org_rules.hpp; this file keeps the organization's SCIM identities,
// the invitation each new identity sends, and what deprovisioning does to membership, with GitHub's
// audit events for each (§7: org.invite_member, org.cancel_invitation, org.remove_member,
// org.revoke_external_identity, external_identity.*).
#include "audit.hpp"
#include "emuscim/base/text.hpp"
#include "emuscim/service/org_rules.hpp"
#include "emuscim/store/org_scim.hpp"
#include "emuscim/store/orgs.hpp"
#include "ids.hpp"
#include "user_policy.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<std::string> opt_string(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

user_record to_record(const store::org_identity_row& row) {
  return {row.seq, row.id, json::parse(row.doc, nullptr, false), row.created, row.modified};
}

user_records to_records(store::org_identity_page page) {
  user_records out{{}, page.total, page.last_seq};
  out.rows.reserve(page.rows.size());
  for (const auto& row : page.rows) out.rows.push_back(to_record(row));
  return out;
}

// Fills the row's columns from a canonical document.
void fill_row(store::org_identity_row& row, const json& doc) {
  row.user_name = doc.at("userName").get<std::string>();
  row.external_id = opt_string(doc, "externalId");
  row.email = org_rules::invitation_email(doc);
  row.doc = dump(doc);
}

// Uniqueness inside the organization: userName (case-insensitive), externalId, and the invitation's
// address (case-insensitive; one person, one pending invitation).
scim::status check_unique(store::connection& db, const store::org_identity_row& row, std::int64_t self_seq) {
  if (auto other = store::find_org_identity_by_user_name(db, row.org_id, row.user_name);
      other && other->seq != self_seq) {
    return scim::fail(
        scim::uniqueness("User with userName '" + row.user_name + "' already exists in this organization"));
  }
  if (row.external_id) {
    if (auto other = store::find_org_identity_by_external_id(db, row.org_id, *row.external_id);
        other && other->seq != self_seq) {
      return scim::fail(scim::uniqueness("User with externalId '" + *row.external_id +
                                         "' already exists in this organization"));
    }
  }
  if (auto other = store::find_org_identity_by_email(db, row.org_id, row.email); other && other->seq != self_seq) {
    return scim::fail(scim::uniqueness("User with email '" + row.email + "' already exists in this organization"));
  }
  return {};
}

// The personal account GitHub recognises for an invitation: one with that email, else one whose
// login is the userName.
std::optional<store::account_row> recognised_account(store::connection& db, const store::org_identity_row& row) {
  if (auto a = store::find_account_by_email(db, row.email)) return a;
  if (org_rules::valid_login(row.user_name)) return store::find_account(db, row.user_name);
  return std::nullopt;
}

json login_or_null(const std::optional<store::account_row>& a) { return a ? json(a->login) : json(nullptr); }

// The person leaves the organization: the pending invitation is cancelled, a linked member is
// removed and their identity revoked, and the identity goes with its id.
void deprovision(store::write_context& w, const request_context& ctx, const store::org_identity_row& row) {
  if (auto inv = store::find_org_invitation_by_identity(w.db, row.seq)) {
    store::delete_org_invitation(w.db, inv->id);
    std::optional<store::account_row> invitee;
    if (inv->account_id) invitee = store::find_account_by_id(w.db, *inv->account_id);
    audit::record(w, ctx, "org.cancel_invitation", row.id, true,
                  {{"invitation_id", inv->id},
                   {"email", inv->email.value_or("")},
                   {"invitee_email", inv->email.value_or("")},
                   {"user", login_or_null(invitee)},
                   {"scim_user_id", row.id}});
    ctx.note("invitation " + std::to_string(inv->id) + " to " + inv->email.value_or("?") + " cancelled");
  }
  if (row.account_id) {
    auto account = store::find_account_by_id(w.db, *row.account_id);
    const json user = login_or_null(account);
    if (store::delete_org_member(w.db, row.org_id, *row.account_id)) {
      audit::record(w, ctx, "org.remove_member", row.id, true,
                    {{"user", user}, {"user_id", *row.account_id}, {"scim_user_id", row.id}});
      const std::string who = account ? account->login : std::to_string(*row.account_id);
      ctx.note(base::cat({"@", who, " removed from ", ctx.org->login}));
    }
    audit::record(w, ctx, "org.revoke_external_identity", row.id, true,
                  {{"user", user}, {"user_id", *row.account_id}, {"scim_user_id", row.id}});
  }
  store::delete_org_identity(w.db, row.seq);
  audit::record(w, ctx, "external_identity.deprovision", row.id, true, {{"scim_user_id", row.id}});
}

class org_user_policy final : public user_policy {
 public:
  explicit org_user_policy(const service_options& opts) : mode_(opts.mode) {}

  std::int64_t tenant(const request_context& ctx) const override { return ctx.org->id; }
  std::span<const std::string_view> filter_attributes() const override { return org_rules::filter_attributes; }
  scim::response_layout layout() const override { return scim::response_layout::organization; }
  // GitHub's own PATCH example has no `schemas`, and the patched document is checked against the
  // organization's required attributes in update(): the shared engine reads leniently.
  scim::validation_mode patch_mode() const override { return scim::validation_mode::lenient; }

  scim::result<json> canonical(const request_context&, const json& body, scim::user_use use) const override {
    return org_rules::canonical(body, mode_, use);
  }

  scim::status adapt(std::vector<scim::patch_operation>& ops) const override {
    org_rules::adapt_patch(ops);
    return {};
  }

  scim::status check_plan(const scim::user_patch_plan& plan) const override {
    return org_rules::check_patch_plan(plan, mode_);
  }

  std::optional<user_record> find(store::connection& c, const request_context& ctx,
                                  std::string_view id) const override {
    auto row = store::find_org_identity(c, ctx.org->id, id);
    if (!row) return std::nullopt;
    return to_record(*row);
  }

  user_records list(store::connection& c, const request_context& ctx, std::int64_t offset, std::int64_t count,
                    std::optional<std::int64_t> after_seq, std::int64_t skip) const override {
    return to_records(store::list_org_identities(c, ctx.org->id, offset, count, after_seq, skip));
  }

  user_records list_where(store::connection& c, const request_context& ctx, const scim::simple_eq& f,
                          std::int64_t offset, std::int64_t count) const override {
    const store::org_identity_key key = f.attr == "userName"     ? store::org_identity_key::user_name
                                        : f.attr == "externalId" ? store::org_identity_key::external_id
                                        : f.attr == "emails"     ? store::org_identity_key::email
                                                                 : store::org_identity_key::id;
    return to_records(store::list_org_identities_where(c, ctx.org->id, key, f.value, offset, count));
  }

  scim::result<user_record> create(store::write_context& w, const request_context& ctx, json doc) const override {
    store::org_identity_row row;
    row.org_id = ctx.org->id;
    row.id = new_uuid();
    fill_row(row, doc);
    if (auto ok = check_unique(w.db, row, 0); !ok) return scim::fail(ok.error());
    row.created = row.modified = w.now;
    store::insert_org_identity(w.db, row, org_rules::email_values(doc));

    // Provisioning sends an invitation to the identity's address (SCIMORG: "sends an activation email").
    const auto invitee = recognised_account(w.db, row);
    store::org_invitation_row inv;
    inv.org_id = row.org_id;
    inv.identity_seq = row.seq;
    inv.email = row.email;
    if (invitee) inv.account_id = invitee->id;
    inv.inviter_token_id = ctx.token_id;
    inv.created = w.now;
    store::insert_org_invitation(w.db, inv);

    audit::record(w, ctx, "external_identity.provision", row.id, true, {{"scim_user_id", row.id}});
    audit::record(w, ctx, "org.invite_member", row.id, true,
                  {{"invitation_id", inv.id},
                   {"user", login_or_null(invitee)},
                   {"invitee_email", row.email},
                   {"invitation_source", "scim"},
                   {"scim_user_id", row.id}});
    ctx.note("invitation " + std::to_string(inv.id) + " sent to " + row.email +
             (invitee ? " (@" + invitee->login + ")" : std::string()));
    return to_record(row);
  }

  scim::result<user_record> update(store::write_context& w, const request_context& ctx, const user_record& record,
                                   json doc, user_write kind) const override {
    auto before = store::find_org_identity(w.db, ctx.org->id, record.id);
    if (!before) return scim::fail(scim::not_found("Resource " + record.id + " not found."));
    // PUT: "Any existing user information that you don't provide will be removed" (SCIMORG); no
    // attribute is kept from the stored document. PATCH: what the plan left.
    org_rules::as_org_document(doc);
    const auto use = kind == user_write::replace ? scim::user_use::replace : scim::user_use::patched;
    if (auto ok = org_rules::check_required(doc, mode_, use); !ok) return scim::fail(ok.error());

    if (org_rules::classify(doc) == org_rules::change::deprovision) {
      deprovision(w, ctx, *before);
      user_record gone = to_record(*before);
      gone.doc = std::move(doc);
      gone.modified = w.now;
      gone.deleted = true;
      ctx.note("active: false: identity " + before->id + " deleted");
      return gone;
    }

    store::org_identity_row after = *before;
    fill_row(after, doc);
    if (auto ok = check_unique(w.db, after, before->seq); !ok) return scim::fail(ok.error());
    after.modified = w.now;
    store::update_org_identity(w.db, after, org_rules::email_values(doc));
    // A pending invitation follows the identity's address.
    if (after.email != before->email) {
      if (auto inv = store::find_org_invitation_by_identity(w.db, after.seq)) {
        inv->email = after.email;
        store::update_org_invitation(w.db, *inv);
        ctx.note("invitation " + std::to_string(inv->id) + " now goes to " + after.email);
      }
    }
    audit::record(w, ctx, "external_identity.update", after.id, true, {{"scim_user_id", after.id}});
    return to_record(after);
  }

  scim::status remove(store::write_context& w, const request_context& ctx, const user_record& record) const override {
    auto row = store::find_org_identity(w.db, ctx.org->id, record.id);
    if (!row) return scim::fail(scim::not_found("Resource " + record.id + " not found."));
    deprovision(w, ctx, *row);
    return {};
  }

 private:
  scim::validation_mode mode_;
};

}  // namespace

std::shared_ptr<const user_policy> make_org_policy(const service_options& opts) {
  return std::make_shared<const org_user_policy>(opts);
}

}  // namespace emuscim::service
