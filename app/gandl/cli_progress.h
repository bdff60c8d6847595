#pragma once
// The CLI side of the task contract: a progress line on stderr (redrawn in place on a terminal,
// one line every few seconds otherwise) and Ctrl-C wired to the cancel token.

#include <chrono>
#include <string>

#include "core/tasks/eta.h"
#include "core/tasks/progress.h"

namespace gandl::cli {

class CliProgress {
 public:
  // quiet: report nothing (the ranks of a data-parallel job other than rank 0); errors still go
  // to stderr through main.
  explicit CliProgress(std::string task, bool quiet = false);
  ~CliProgress();

  // A context that reports here and is cancelled by SIGINT/SIGTERM.
  tasks::TaskContext context();
  void finish(const std::string& message);

 private:
  void draw(const tasks::ProgressUpdate& update);

  std::string task_;
  bool quiet_ = false;
  bool terminal_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point lastDraw_;
  tasks::EtaEstimator eta_;
};

// Installs SIGINT/SIGTERM handlers that cancel the process-wide token (once: a second Ctrl-C
// kills the process the usual way).
const tasks::CancelToken& interruptToken();

}  // namespace gandl::cli
