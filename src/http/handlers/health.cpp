// Unauthenticated service routes: /healthz, /readyz, /metrics.
#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/admin_service.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

net::awaitable<outcome> healthz(call&) {
  co_return answer{200, R"({"status":"ok"})"};  // the probe's one answer, serialized once by hand
}

net::awaitable<outcome> readyz(call& c) {
  const bool ok = c.svc.admin.ready();
  co_return json_answer(ok ? 200 : 503, nlohmann::json{{"status", ok ? "ready" : "unavailable"}});
}

net::awaitable<outcome> metrics(call& c) {
  metric_gauges g;
  auto stats = c.svc.admin.stats();
  for (auto& e : stats.enterprises) g.enterprises.push_back({std::move(e.slug), e.users, e.groups, e.memberships});
  g.db_size_bytes = stats.db_size_bytes;
  if (c.svc.open_connections) g.open_connections = c.svc.open_connections();
  co_return answer{200, c.svc.metrics.render(g), prometheus_content_type};
}

}  // namespace emuscim::http::handlers
