#include "app/gandl/cli_progress.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace gandl::cli {
namespace {

tasks::CancelToken token;

extern "C" void onInterrupt(int signal) {
  token.cancel();
  std::signal(signal, SIG_DFL);
}

std::string formatSeconds(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  return text;
}

}  // namespace

const tasks::CancelToken& interruptToken() {
  static const bool installed = [] {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return true;
  }();
  (void)installed;
  return token;
}

CliProgress::CliProgress(std::string task, bool quiet)
    : task_(std::move(task)),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_ - std::chrono::hours(1)) {}

CliProgress::~CliProgress() {
  if (drawn_ && terminal_) std::fputc('\n', stderr);
}

tasks::TaskContext CliProgress::context() {
  return tasks::TaskContext([this](const tasks::ProgressUpdate& u) { draw(u); }, &interruptToken());
}

void CliProgress::draw(const tasks::ProgressUpdate& u) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = u.total > 0 && u.done >= u.total;
  const double left = eta_.update(u, now);  // every report, drawn or not
  if (quiet_) return;
  const auto interval = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (!last && now - lastDraw_ < interval) return;
  lastDraw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = task_ + ": ";
  if (u.total > 0) {
    const double fraction = static_cast<double>(u.done) / static_cast<double>(u.total);
    char text[160];
    std::snprintf(text, sizeof text, "%3.0f%% %lld/%lld %s", 100.0 * fraction, static_cast<long long>(u.done),
                  static_cast<long long>(u.total), u.unit.c_str());
    line += text;
    if (left >= 0 && !last) line += ", ETA " + formatSeconds(left);
  } else if (u.done > 0) {
    line += std::to_string(u.done) + " " + u.unit;
  }
  if (!u.message.empty()) line += "  " + u.message;
  line += "  [" + formatSeconds(elapsed) + "]";
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  drawn_ = true;
}

void CliProgress::finish(const std::string& message) {
  if (quiet_) return;
  if (drawn_ && terminal_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%s: %s (%.1f s)\n", task_.c_str(), message.c_str(), elapsed);
}

}  // namespace gandl::cli
