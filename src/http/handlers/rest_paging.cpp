#include "http/handlers/rest_paging.hpp"

#include <algorithm>

#include "emuscim/base/text.hpp"

namespace emuscim::http::handlers {

namespace {

constexpr std::int64_t kDefaultPerPage = 30;
constexpr std::int64_t kMaxPerPage = 100;

scim::result<std::int64_t> rest_int(const call& c, std::string_view name, std::int64_t fallback) {
  auto v = c.query(name);
  if (!v || v->empty()) return fallback;
  auto n = to_int64(*v);
  if (!n) {
    scim::error e{422, "", "Validation Failed"};
    e.errors.push_back({"Query", std::string(name), "invalid", base::cat({"'", name, "' must be an integer"})});
    return scim::fail(std::move(e));
  }
  return *n;
}

}  // namespace

scim::result<service::page_request> page_params(const call& c) {
  auto per_page = rest_int(c, "per_page", kDefaultPerPage);
  if (!per_page) return scim::fail(per_page.error());
  auto page = rest_int(c, "page", 1);
  if (!page) return scim::fail(page.error());
  const std::int64_t n = *per_page < 1 ? kDefaultPerPage : std::min(*per_page, kMaxPerPage);
  return service::page_request{std::max<std::int64_t>(*page, 1), n};
}

std::string page_url(const call& c, std::string_view page_param, std::int64_t page) {
  std::string out = c.ctx.base_url + c.t.path + "?";
  for (const auto& [k, v] : c.t.params) {
    if (base::iequals(k, page_param)) continue;
    out += url_encode(k) + "=" + url_encode(v) + "&";
  }
  return out + std::string(page_param) + "=" + std::to_string(page);
}

std::string link_header(const call& c, const service::page_request& p, std::int64_t total) {
  const std::int64_t last = std::max<std::int64_t>(1, (total + p.per_page - 1) / p.per_page);
  std::string out;
  auto add = [&](std::int64_t page, std::string_view rel) {
    if (!out.empty()) out += ", ";
    out += base::cat({"<", page_url(c, "page", page), ">; rel=\"", rel, "\""});
  };
  if (p.page > 1) add(std::min(p.page - 1, last), "prev");
  if (p.page < last) add(p.page + 1, "next");
  if (p.page < last) add(last, "last");
  if (p.page > 1) add(1, "first");
  return out;
}

outcome page_answer(const call& c, scim::result<service::page_reply> page, const service::page_request& p) {
  if (!page) return scim::fail(page.error());
  auto a = json_answer(200, page->items);
  if (auto link = link_header(c, p, page->total); !link.empty()) a.headers.emplace_back("Link", std::move(link));
  return a;
}

outcome reply_answer(scim::result<service::reply> r) {
  if (!r) return scim::fail(r.error());
  if (r->status == 204) return no_content();
  return json_answer(static_cast<unsigned>(r->status), r->body);
}

outcome status_answer(scim::status s) {
  if (!s) return scim::fail(s.error());
  return no_content();
}

}  // namespace emuscim::http::handlers
