#pragma once
// The route table emuscim serves (one row per route: src/http/routes.cpp).

#include <vector>

#include "emuscim/http/route.hpp"

namespace emuscim::http {

std::vector<route> default_routes();

}  // namespace emuscim::http
