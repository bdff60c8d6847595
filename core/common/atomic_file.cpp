#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace gandl::common {

std::filesystem::path temporarySibling(const std::filesystem::path& path) {
  auto name = path.filename().string() + ".tmp-" + std::to_string(::getpid());
  return path.parent_path() / name;
}

void removeStaleTemporaries(const std::filesystem::path& path, const std::string& marker) {
  const std::string prefix = path.filename().string() + marker;
  const std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code error;
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      std::filesystem::remove_all(it->path(), ignored);
    }
  }
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)), temporary_(temporarySibling(path_)) {
  removeStaleTemporaries(path_);
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
  syncFile(temporary_);
  std::error_code error;
  std::filesystem::rename(temporary_, path_, error);
  if (error) throw std::runtime_error(path_.string() + ": cannot rename into place: " + error.message());
  committed_ = true;
  syncDirectory(path_.parent_path());
}

namespace {

void sync(const std::filesystem::path& path, int flags) {
  const int descriptor = ::open(path.empty() ? "." : path.c_str(), flags | O_CLOEXEC);
  if (descriptor < 0) throw std::runtime_error(path.string() + ": cannot open to sync (" + std::strerror(errno) + ")");
  const int status = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (status != 0) throw std::runtime_error(path.string() + ": cannot sync to disk (" + std::strerror(error) + ")");
}

}  // namespace

void syncFile(const std::filesystem::path& file) { sync(file, O_RDONLY); }
void syncDirectory(const std::filesystem::path& folder) { sync(folder, O_RDONLY | O_DIRECTORY); }

void writeFileAtomically(const std::filesystem::path& path, std::string_view content) {
  AtomicFile file(path);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

}  // namespace gandl::common
