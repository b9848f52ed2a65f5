#pragma once
// Recorded requests -> a replay file (docs/REPLAY.md): what GET /_emuscim/requests/export
// answers. Pure.
//
// Each exchange becomes one step with the request as it was sent (method, path relative to the
// enterprise's SCIM root, raw query, the client's headers but no credentials, the body) and the
// answer it got as the expectation. Values that differ from one server or one run to the next are
// made portable:
//   * ids that an answer returned (a resource's "id", the ids of a list's Resources) are captured
//     into variables (user1, group1, …) and every later occurrence, in paths, queries, bodies and
//     expectations, becomes ${user1}: the player rewrites them with the new server's ids;
//   * other ids ("id" members and members[].value never captured) match any string;
//   * timestamps (RFC 3339 strings) match any timestamp, and URLs (meta.location, $ref, the
//     Location header) any scheme and host with the same path;
// so the expectation is the recorded body itself, compared member by member.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace emuscim::replay {

struct recorded_exchange {
  std::uint64_t id = 0;  // the request log's id (named in the step)
  std::string method;
  std::string path;
  std::string query;  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> request_headers;
  std::string request_body;
  bool request_body_truncated = false;
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> response_headers;
  std::string response_body;
  bool response_body_truncated = false;
};

struct recording {
  std::string enterprise;  // slug: paths under /scim/v2/enterprises/{slug}/ become relative
  std::string server;      // "emuscim 0.1.0"
  std::string exported;    // RFC 3339 time of the export
  std::uint64_t since_id = 0;
  std::vector<recorded_exchange> exchanges;  // oldest first
};

// The replay file, in the format of tests/fixtures/README.md.
nlohmann::ordered_json to_replay_file(const recording& r);

}  // namespace emuscim::replay
