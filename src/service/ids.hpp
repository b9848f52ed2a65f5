#pragma once
#include <string>

namespace emuscim::service {
// A lower-case UUID v4 (RFC 4122 §4.4), from a per-thread generator seeded by random_device.
std::string new_uuid();
}  // namespace emuscim::service
