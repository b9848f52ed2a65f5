#pragma once
// GitHub's REST list conventions for the org/team handler families: `per_page` (default 30, at
// most 100) and `page` (default 1) in, `Link` (rel="prev", "next", "last", "first") out.
// Private to http.

#include <cstdint>
#include <optional>
#include <string>

#include "emuscim/http/call.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/service/teams_service.hpp"

namespace emuscim::http::handlers {

// per_page: absent 30, above 100 -> 100, below 1 -> 30; page: absent or below 1 -> 1. Not an
// integer: 422.
scim::result<service::page_request> page_params(const call& c);

// This request's URL with `page` set to `page` (other query parameters kept, in order).
std::string page_url(const call& c, std::string_view page_param, std::int64_t page);

// `Link` for page `p` of a list of `total` items; empty when everything fits on one page.
std::string link_header(const call& c, const service::page_request& p, std::int64_t total);

// 200 with the page's items and its Link.
outcome page_answer(const call& c, scim::result<service::page_reply> page, const service::page_request& p);

// A service reply as it is (204 without body).
outcome reply_answer(scim::result<service::reply> r);
outcome status_answer(scim::status s);  // 204

}  // namespace emuscim::http::handlers
