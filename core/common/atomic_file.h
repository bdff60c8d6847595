#pragma once
// Write-then-rename (std::runtime_error on failure, naming the file), so that no reader ever sees a half-written file
// and a file that was already there survives a failed or cancelled write untouched.

#include <filesystem>
#include <fstream>
#include <string_view>

namespace gandl::common {

class AtomicFile {
 public:
  // Opens "<path>.tmp-<pid>" beside the target (same file system, so the rename is atomic).
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& temporaryPath() const { return temporary_; }
  // Flushes, checks for write errors (full disk...) and renames onto the target.
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_;
  std::ofstream out_;
  bool committed_ = false;
};

void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

// Temporary sibling name for writers that cannot use a stream (HDF5, OpenCV).
std::filesystem::path temporarySibling(const std::filesystem::path& path);

}  // namespace gandl::common
