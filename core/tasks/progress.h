#pragma once
// The progress + cancellation contract shared by every long core task, the CLI and the GUI.
//
// A task receives a TaskContext; it calls report() as work advances and checkCancelled() at least
// once per batch, well or fit. The CLI draws a progress line on stderr; the GUI forwards reports to
// its thread with queued signals and sets the cancel flag from its Cancel button. Nothing here
// knows Qt.
//
// Pause is in-process: while the token is paused, checkCancelled() blocks the task's thread at its
// next check (a batch boundary, a training step) until resume() or cancel(); the task keeps its
// memory, optimizer state and open files, so it continues exactly where it stopped.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

namespace gandl::tasks {

// Thrown by checkCancelled(); a task lets it propagate after leaving its outputs valid.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

// Shared between the thread that runs a task and the threads that may pause, resume or cancel it.
class CancelToken {
 public:
  void cancel() noexcept {
    flag_.store(true, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  bool isCancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
  void reset() noexcept {
    flag_.store(false, std::memory_order_relaxed);
    resume();
  }

  void pause() noexcept {
    std::lock_guard lock(mutex_);
    if (paused_) return;
    paused_ = true;
    pausedAt_ = std::chrono::steady_clock::now();
  }
  void resume() noexcept {
    std::lock_guard lock(mutex_);
    if (!paused_) return;
    paused_ = false;
    pausedTotal_ += std::chrono::steady_clock::now() - pausedAt_;
    wake_.notify_all();
  }
  bool isPaused() const noexcept {
    std::lock_guard lock(mutex_);
    return paused_;
  }
  // Seconds spent paused so far (the current pause included): rates such as img/s leave it out.
  double pausedSeconds() const noexcept {
    std::lock_guard lock(mutex_);
    auto total = pausedTotal_;
    if (paused_) total += std::chrono::steady_clock::now() - pausedAt_;
    return std::chrono::duration<double>(total).count();
  }
  // Blocks while paused; returns at once when cancelled.
  void waitWhilePaused() const {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return !paused_ || isCancelled(); });
  }

 private:
  std::atomic<bool> flag_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  bool paused_ = false;
  std::chrono::steady_clock::time_point pausedAt_;
  std::chrono::steady_clock::duration pausedTotal_{};
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
  TaskContext(ProgressCallback callback, const CancelToken* token) : callback_(std::move(callback)), token_(token) {}

  void report(std::int64_t done, std::int64_t total, const std::string& unit, const std::string& message = {}) const {
    if (callback_) callback_(ProgressUpdate{done, total, unit, message});
  }
  // The same cancel token with another progress callback: for a sub-task whose progress the
  // caller translates (e.g. sites of one plate -> sites of the screen).
  TaskContext relay(ProgressCallback callback) const { return TaskContext(std::move(callback), token_); }

  bool isCancelled() const noexcept { return token_ && token_->isCancelled(); }
  // Waits here while the task is paused, then throws Cancelled if it was cancelled.
  void checkCancelled() const {
    if (token_) token_->waitWhilePaused();
    if (isCancelled()) throw Cancelled();
  }
  double pausedSeconds() const noexcept { return token_ ? token_->pausedSeconds() : 0.0; }

 private:
  ProgressCallback callback_;
  const CancelToken* token_ = nullptr;
};

}  // namespace gandl::tasks
