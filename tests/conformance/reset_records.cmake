# Empties the directory the end-to-end client writes replies into (EMUSCIM_CONFORMANCE_DIR).
# Usage: cmake -DDIR=<build>/conformance-records -P reset_records.cmake
if(NOT DIR MATCHES "/conformance-records$")
  message(FATAL_ERROR "reset_records.cmake: refusing to empty '${DIR}' (expected .../conformance-records)")
endif()
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
