#pragma once
// What emuscim tolerated or decided while reading a request, as data for the request log's notes
// (docs/DASHBOARD.md): the SCIM layer stays pure and returns these; the services add them to the
// request's trace. Pure.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace emuscim::scim {

struct tolerations {
  // One human line each, e.g. `accepted Entra's string "False" for active`,
  // `ignored unsupported attribute 'nickName'`; duplicates are dropped, and after max_notes
  // lines one more says how many were left out.
  std::vector<std::string> notes;
  // The client whose dialect was recognised ("entra"), or empty.
  std::string dialect;

  static constexpr std::size_t max_notes = 20;
  static constexpr std::string_view kMoreNotes = "… more notes left out";

  void note(std::string line) {
    for (const auto& n : notes) {
      if (n == line) return;
    }
    if (notes.size() < max_notes) {
      notes.push_back(std::move(line));
    } else if (notes.size() == max_notes) {
      notes.emplace_back(kMoreNotes);
    }
  }
};

}  // namespace emuscim::scim
