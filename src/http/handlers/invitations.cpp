// GitHub's organization invitations of standalone organizations (github-orgs-teams.md §2, §5):
// GET /orgs/{org}/invitations and DELETE /orgs/{org}/invitations/{invitation_id}. Org-level SCIM
// provisioning creates them; the admin API's acceptance (admin_orgs.cpp) consumes them.
#include <algorithm>
#include <array>

#include "emuscim/http/pipeline.hpp"
#include "emuscim/http/query.hpp"
#include "emuscim/service/org_identity_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rest_objects.hpp"

namespace emuscim::http::handlers {

namespace {

constexpr std::int64_t kDefaultPerPage = 30;  // GitHub's REST default
constexpr std::int64_t kMaxPerPage = 100;
constexpr std::array<std::string_view, 5> kRoles = {"all", "admin", "direct_member", "billing_manager",
                                                    "hiring_manager"};
constexpr std::array<std::string_view, 3> kSources = {"all", "member", "scim"};

// A query enum: nullopt for absent or "all"; 422 Validation Failed for a value outside `allowed`.
scim::result<std::optional<std::string>> enum_param(const call& c, std::string_view name,
                                                    std::span<const std::string_view> allowed) {
  auto v = c.query(name);
  if (!v || v->empty()) return std::optional<std::string>{};
  if (std::ranges::find(allowed, *v) == allowed.end()) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    scim::error e{422, "", "Validation Failed"};
    e.errors.push_back({"OrganizationInvitation", std::string(name), "invalid",
                        "'" + *v + "' is not one of " + list});
    return scim::fail(std::move(e));
  }
  if (*v == "all") return std::optional<std::string>{};
  return std::optional<std::string>{*v};
}

// GitHub's Link header: first/prev when past page 1, next/last when more pages follow.
std::string link_header(const std::string& base, const std::string& extra, std::int64_t page, std::int64_t per_page,
                        std::int64_t last) {
  const auto url = [&](std::int64_t p) {
    return "<" + base + "?per_page=" + std::to_string(per_page) + "&page=" + std::to_string(p) + extra + ">";
  };
  std::string out;
  const auto add = [&](std::int64_t p, const char* rel) {
    if (!out.empty()) out += ", ";
    out += url(p) + "; rel=\"" + rel + "\"";
  };
  if (page > 1) {
    add(page - 1, "prev");
    add(1, "first");
  }
  if (page < last) {
    add(page + 1, "next");
    add(last, "last");
  }
  return out;
}

}  // namespace

net::awaitable<outcome> org_invitations_list(call& c) {
  auto per_page = int_param(c, "per_page", kDefaultPerPage);
  if (!per_page) co_return scim::fail(per_page.error());
  auto page = int_param(c, "page", 1);
  if (!page) co_return scim::fail(page.error());
  auto role = enum_param(c, "role", kRoles);
  if (!role) co_return scim::fail(role.error());
  auto source = enum_param(c, "invitation_source", kSources);
  if (!source) co_return scim::fail(source.error());
  const std::int64_t n = std::clamp<std::int64_t>(*per_page, 1, kMaxPerPage);
  const std::int64_t p = std::max<std::int64_t>(1, *page);

  const auto& org = *c.ctx.org;
  auto list = c.svc.org_identities.invitations(org, {*role, *source, p, n});
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& inv : list.items) items.push_back(organization_invitation(inv, org, c.ctx.base_url));
  auto a = json_answer(200, items);

  std::string extra;
  if (*role) extra += "&role=" + url_encode(**role);
  if (*source) extra += "&invitation_source=" + url_encode(**source);
  const std::int64_t last = std::max<std::int64_t>(1, (list.total + n - 1) / n);
  if (auto link = link_header(c.url("/orgs/{org}/invitations"), extra, p, n, last); !link.empty()) {
    a.headers.emplace_back("Link", std::move(link));
  }
  co_return a;
}

net::awaitable<outcome> org_invitations_cancel(call& c) {
  // Anything but a positive integer names no invitation.
  const auto id = to_int64(c.param("invitation_id"));
  if (!id || *id <= 0) co_return scim::fail(scim::not_found("Not Found"));
  auto done = co_await c.svc.org_identities.cancel_invitation(c.ctx, *id);
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

}  // namespace emuscim::http::handlers
