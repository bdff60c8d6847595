#pragma once
// The progress + cancellation contract shared by every long core task, the CLI and the GUI.
//
// A task receives a TaskContext; it calls report() as work advances and checkCancelled() at least
// once per batch, well or fit. The CLI draws a progress line on stderr; the GUI forwards reports to
// its thread with queued signals and sets the cancel flag from its Cancel button. Nothing here
// knows Qt.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace gandl::tasks {

// Thrown by checkCancelled(); a task lets it propagate after leaving its outputs valid.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

// Shared between the thread that runs a task and the thread that may cancel it.
class CancelToken {
 public:
  void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
  bool isCancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
  void reset() noexcept { flag_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

struct ProgressUpdate {
  std::int64_t done = 0;   // units finished (sites, steps, compounds, ...)
  std::int64_t total = 0;  // 0 when unknown
  std::string unit;        // "sites", "steps", ...
  std::string message;     // what is happening now, one line
};

using ProgressCallback = std::function<void(const ProgressUpdate&)>;

// What a task gets: where to report and what to poll. Both parts are optional.
class TaskContext {
 public:
  TaskContext() = default;
  TaskContext(ProgressCallback callback, const CancelToken* token)
      : callback_(std::move(callback)), token_(token) {}

  void report(std::int64_t done, std::int64_t total, const std::string& unit,
              const std::string& message = {}) const {
    if (callback_) callback_(ProgressUpdate{done, total, unit, message});
  }
  // The same cancel token with another progress callback: for a sub-task whose progress the
  // caller translates (e.g. sites of one plate -> sites of the screen).
  TaskContext relay(ProgressCallback callback) const { return TaskContext(std::move(callback), token_); }

  bool isCancelled() const noexcept { return token_ && token_->isCancelled(); }
  void checkCancelled() const {
    if (isCancelled()) throw Cancelled();
  }

 private:
  ProgressCallback callback_;
  const CancelToken* token_ = nullptr;
};

}  // namespace gandl::tasks
