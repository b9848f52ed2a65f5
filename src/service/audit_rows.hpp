#pragma once
// Conversions between the service's audit types and the store's rows. Private to the service module.

#include "emuscim/service/audit_log.hpp"
#include "emuscim/store/repo.hpp"

namespace emuscim::service::detail {

store::audit_query to_query(const audit_filter& f);
audit_event to_event(store::audit_row row);

}  // namespace emuscim::service::detail
