#include "core/common/atomic_file.h"

#include <unistd.h>

#include <stdexcept>
#include <system_error>

namespace gandl::common {

std::filesystem::path temporarySibling(const std::filesystem::path& path) {
  auto name = path.filename().string() + ".tmp-" + std::to_string(::getpid());
  return path.parent_path() / name;
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)), temporary_(temporarySibling(path_)) {
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(temporary_.string() + ": cannot open for writing");
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) throw std::runtime_error(temporary_.string() + ": write failed (disk full?)");
  std::error_code error;
  std::filesystem::rename(temporary_, path_, error);
  if (error) throw std::runtime_error(path_.string() + ": cannot rename into place: " + error.message());
  committed_ = true;
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content) {
  AtomicFile file(path);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

}  // namespace gandl::common
