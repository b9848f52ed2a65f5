#pragma once
// What the SCIM handler families share (scim.cpp: enterprise SCIM, org_scim.cpp: org-level SCIM):
// the list query of a call and the answer of a service reply. Private to http.

#include "emuscim/http/call.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::http::handlers {

// excludedAttributes names `members` (RFC 7644 §3.9; groups only).
bool excludes_members(const call& c);

// filter, startIndex (default 1), count (default 30), excludedAttributes; a non-integer
// startIndex or count is 400 invalidValue.
scim::result<service::list_query> scim_list_query(const call& c);

// A reply as an application/scim+json answer (204 without a body), with its Location.
outcome scim_answer(scim::result<service::reply> r);

}  // namespace emuscim::http::handlers
