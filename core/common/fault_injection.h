#pragma once
// Named points in the writers where the reliability tests simulate a crash or a full disk
// (docs/reliability.md), as SQLite's test hooks do. Inert unless the environment asks:
//
//   GANDL_FAULT=<point>:<n>           the n-th pass (1-based) through <point> ends the process at
//                                     once with _exit(137), as kill -9 would: no destructor runs,
//                                     no user-space buffer is flushed, no temporary is removed.
//   GANDL_FAULT=<point>:<n>:enospc    the n-th pass (and every later one) fails as a full disk:
//                                     faultPoint() returns true and the caller reports ENOSPC.
//
// A malformed GANDL_FAULT is ignored with a warning on stderr (it never changes a real run).

#include <string_view>

namespace gandl::common {

// Counts a pass through `point`; may end the process; true: fail this write as a full disk.
bool faultPoint(std::string_view point);

}  // namespace gandl::common
