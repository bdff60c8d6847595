#pragma once
// An advisory, exclusive lock on a file (flock), held for the object's lifetime and released by
// the kernel when the process ends however it ends: two `gandl train` runs in one run folder
// cannot interleave their checkpoints and metrics.

#include <filesystem>
#include <string>

namespace gandl::common {

class FileLock {
 public:
  // Creates `file` if needed and locks it; throws std::runtime_error naming `what` and the file
  // when another process (or another FileLock of this one) holds it.
  FileLock(const std::filesystem::path& file, const std::string& what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace gandl::common
