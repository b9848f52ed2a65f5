// The request inspector (docs/DASHBOARD.md, docs/REPLAY.md): /_emuscim/requests[/{request_id}|/stream|/export].
#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "emuscim/http/pipeline.hpp"
#include "emuscim/http/request_log.hpp"
#include "emuscim/replay/record.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {

using namespace std::chrono_literals;

constexpr auto kPollEvery = 200ms;    // how soon a captured request reaches an open stream
constexpr auto kKeepAliveEvery = 15s;  // a comment line so that idle proxies keep the stream open
constexpr std::size_t kStreamBatch = 1000;

scim::result<request_log*> ring(call& c) {
  if (c.svc.requests == nullptr) return scim::fail(scim::not_found("The request log is not available"));
  return c.svc.requests;
}

// Where a stream starts: after Last-Event-ID (a reconnecting EventSource), else after
// ?since_id=, else at the current end (only new requests).
scim::result<std::uint64_t> stream_start(const call& c, const request_log& log) {
  if (auto it = c.req.find("Last-Event-ID"); it != c.req.end()) {
    if (auto id = parse_event_id(std::string_view(it->value().data(), it->value().size()))) return *id;
  }
  if (auto since = c.query("since_id"); since && !since->empty()) {
    auto id = parse_event_id(*since);
    if (!id) {
      return scim::fail(scim::invalid_value("Query parameter 'since_id' must be a non-negative integer, got '" +
                                            *since + "'"));
    }
    return *id;
  }
  return log.last_id();
}

// Sends every captured request after `next`, then polls the ring until the client leaves or the
// server stops. A reconnecting client resumes through Last-Event-ID without gaps while the ring
// still holds what it missed.
net::awaitable<void> pump_events(request_log& log, std::uint64_t next, stream_sink& sink) {
  if (!co_await sink.send(std::string(sse_stream_start))) co_return;
  net::steady_timer timer(co_await net::this_coro::executor);
  auto quiet_since = std::chrono::steady_clock::now();
  while (!sink.stopping()) {
    request_query q;
    q.since_id = next;
    q.limit = kStreamBatch;
    const request_page page = log.list(q);
    next = page.next_since_id;
    std::string chunk;
    for (const auto& e : page.requests) chunk += sse_event(*e);
    const auto now = std::chrono::steady_clock::now();
    if (chunk.empty() && now - quiet_since >= kKeepAliveEvery) chunk = sse_keep_alive;
    if (!chunk.empty()) {
      quiet_since = now;
      if (!co_await sink.send(std::move(chunk))) co_return;
    }
    if (page.requests.size() == kStreamBatch) continue;  // more are waiting
    timer.expires_after(kPollEvery);
    co_await timer.async_wait(net::use_awaitable);
  }
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

replay::recorded_exchange exchange_of(const log_entry& e) {
  const captured& c = e.data();
  replay::recorded_exchange x;
  x.id = e.id();
  x.method = c.method;
  x.path = c.path;
  x.query = c.query;
  x.request_headers = c.request_headers;
  x.request_body = c.request_body;
  x.request_body_truncated = e.request_body_truncated();
  x.status = c.status;
  x.response_headers = c.response_headers;
  x.response_body = c.response_body;
  x.response_body_truncated = e.response_body_truncated();
  return x;
}

}  // namespace

net::awaitable<outcome> admin_list_requests(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  auto q = parse_request_query(c.t);
  if (!q) co_return scim::fail(q.error());
  co_return answer{200, dump_json(to_json((*log)->list(*q)))};
}

net::awaitable<outcome> admin_get_request(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  const auto& raw = c.param("request_id");
  auto id = parse_event_id(raw);
  auto entry = id ? (*log)->get(*id) : nullptr;
  if (!entry) co_return scim::fail(scim::not_found("Request " + raw + " is not in the request log"));
  co_return answer{200, dump_json(to_json(*entry, true))};
}

net::awaitable<outcome> admin_clear_requests(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  (*log)->clear();
  co_return no_content();
}

namespace {

answer capture_state(const request_log& log) {
  return answer{200, dump_json(nlohmann::json{{"enabled", log.capturing()},
                                              {"capacity", log.capacity()},
                                              {"max_body_bytes", log.max_body_bytes()}})};
}

}  // namespace

net::awaitable<outcome> admin_get_capture(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  co_return capture_state(**log);
}

// {"enabled": false} pauses capture, {"enabled": true} resumes it; what the ring holds stays.
net::awaitable<outcome> admin_set_capture(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  if (auto ok = only_keys(c.body, {"enabled"}); !ok) co_return scim::fail(ok.error());
  const auto it = c.body.find("enabled");
  if (it == c.body.end() || !it->is_boolean()) {
    co_return scim::fail(scim::invalid_value("Attribute 'enabled' is required and must be a boolean"));
  }
  if (it->get<bool>() && !(*log)->enabled()) {
    co_return scim::fail(scim::invalid_value(
        "Capture is off in the configuration (request_log.capacity 0): restart with a capacity to capture"));
  }
  (*log)->set_paused(!it->get<bool>());
  co_return capture_state(**log);
}

net::awaitable<outcome> admin_export_requests(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  auto enterprise = c.query("enterprise");
  if (!enterprise || enterprise->empty()) {
    co_return scim::fail(scim::invalid_value("Query parameter 'enterprise' is required: the enterprise whose "
                                             "requests make the replay file"));
  }
  auto q = parse_request_query(c.t);  // enterprise and since_id; a bad since_id is 400
  if (!q) co_return scim::fail(q.error());
  if (c.query("limit")) co_return scim::fail(scim::invalid_value("Query parameter 'limit' is not taken here"));
  replay::recording rec;
  rec.enterprise = *enterprise;
  rec.server = "emuscim";
  rec.exported = utc_now();
  rec.since_id = q->since_id;
  q->limit = 1000;
  for (;;) {
    const request_page page = (*log)->list(*q);
    for (const auto& e : page.requests) rec.exchanges.push_back(exchange_of(*e));
    if (page.requests.size() < q->limit || page.next_since_id <= q->since_id) break;
    q->since_id = page.next_since_id;
  }
  answer a{200, replay::to_replay_file(rec).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
  std::string file_name = "emuscim-replay.json";
  if (std::all_of(enterprise->begin(), enterprise->end(),
                  [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'; })) {
    file_name = "emuscim-" + *enterprise + "-replay.json";
  }
  a.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  co_return a;
}

net::awaitable<outcome> admin_stream_requests(call& c) {
  auto log = ring(c);
  if (!log) co_return scim::fail(log.error());
  auto start = stream_start(c, **log);
  if (!start) co_return scim::fail(start.error());
  answer a{200, {}, "text/event-stream"};
  a.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}, {"X-Accel-Buffering", "no"}};
  request_log* target = *log;  // outlives the server (app::serve owns both)
  const std::uint64_t from = *start;
  a.stream = [target, from](stream_sink& sink) { return pump_events(*target, from, sink); };
  co_return a;
}

}  // namespace emuscim::http::handlers
