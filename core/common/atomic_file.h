#pragma once
// Write-then-rename (std::runtime_error on failure, naming the file), so that no reader ever sees a half-written file
// and a file that was already there survives a failed or cancelled write untouched. The data reach the disk (fsync)
// before the rename publishes them, and the rename reaches it before commit() returns.

#include <filesystem>
#include <fstream>
#include <string>
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

// Removes "<path><marker><pid>" siblings (files or folders) left by processes that no longer run
// (a crash or a kill in the middle of a write); those of live processes are theirs.
void removeStaleTemporaries(const std::filesystem::path& path, const std::string& marker = ".tmp-");

// fsync of a file's data, or of a folder's entries (after a rename or a removal in it); throw
// std::runtime_error naming the path when the disk refuses.
void syncFile(const std::filesystem::path& file);
void syncDirectory(const std::filesystem::path& folder);

}  // namespace gandl::common
