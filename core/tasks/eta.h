#pragma once
// Time left of a long task from its progress reports. The rate is measured from the first report
// of the current phase (same unit and total), so neither the steps a resumed run had done before
// nor an earlier phase (reading the screen before training) makes the estimate optimistic.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/tasks/progress.h"

namespace gandl::tasks {

class EtaEstimator {
 public:
  using Clock = std::chrono::steady_clock;

  // Seconds left after this report; negative while unknown (no total, or nothing done yet in
  // this phase).
  double update(const ProgressUpdate& u, Clock::time_point now) {
    if (u.total <= 0) {
      started_ = false;
      return -1.0;
    }
    if (!started_ || u.unit != unit_ || u.total != total_ || u.done < startDone_) {
      started_ = true;
      unit_ = u.unit;
      total_ = u.total;
      startDone_ = u.done;
      start_ = now;
      return -1.0;
    }
    const std::int64_t progressed = u.done - startDone_;
    if (progressed <= 0) return -1.0;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    return seconds * static_cast<double>(u.total - u.done) / static_cast<double>(progressed);
  }

 private:
  bool started_ = false;
  std::string unit_;
  std::int64_t total_ = 0, startDone_ = 0;
  Clock::time_point start_;
};

}  // namespace gandl::tasks
