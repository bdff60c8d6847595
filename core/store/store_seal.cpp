#include "core/store/store_seal.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/store/hdf5_io.h"

namespace gandl::store::seal {
namespace {

constexpr char kMagic[] = "GANDL-STORE-SEAL 1\n";
constexpr char kHdf5Signature[] = "\x89HDF\r\n\x1a\n";

class Descriptor {
 public:
  Descriptor(const std::filesystem::path& file, int flags) : fd_(::open(file.c_str(), flags | O_CLOEXEC)) {
    if (fd_ < 0) throw h5::Failure(std::string("cannot open (") + std::strerror(errno) + ")");
  }
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Content {
  off_t bytes = 0;
  uLong crc = 0;
};

// The size and CRC-32 of everything after the user block.
Content checksum(int fd) {
  Content content;
  content.crc = crc32_z(0L, Z_NULL, 0);
  std::vector<unsigned char> buffer(1 << 20);
  off_t offset = static_cast<off_t>(kUserBlockBytes);
  for (;;) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw h5::Failure(std::string("cannot read (") + std::strerror(errno) + ")");
    }
    if (got == 0) break;
    content.crc = crc32_z(content.crc, buffer.data(), static_cast<z_size_t>(got));
    offset += got;
  }
  content.bytes = offset - static_cast<off_t>(kUserBlockBytes);
  return content;
}

std::string header(const Content& content) {
  char text[96];
  std::snprintf(text, sizeof text, "%sbytes %lld\ncrc32 %08lx\n", kMagic, static_cast<long long>(content.bytes),
                static_cast<unsigned long>(content.crc));
  return text;
}

}  // namespace

hid_t createPropertyList() {
  const hid_t list = H5Pcreate(H5P_FILE_CREATE);
  if (list < 0 || H5Pset_userblock(list, kUserBlockBytes) < 0) {
    if (list >= 0) H5Pclose(list);
    throw h5::Failure("cannot reserve the HDF5 user block");
  }
  return list;
}

void write(const std::filesystem::path& file) {
  {
    Descriptor fd(file, O_RDWR);
    std::array<char, kUserBlockBytes> block{};
    const std::string text = header(checksum(fd.get()));
    std::copy(text.begin(), text.end(), block.begin());
    if (::pwrite(fd.get(), block.data(), block.size(), 0) != static_cast<ssize_t>(block.size())) {
      throw h5::Failure(std::string("cannot write the seal (") + std::strerror(errno) + ")");
    }
  }
  try {
    common::syncFile(file);
  } catch (const std::exception& error) {
    throw h5::Failure(error.what());
  }
}

State verify(const std::filesystem::path& file) {
  Descriptor fd(file, O_RDONLY);
  std::array<char, kUserBlockBytes> block{};
  const ssize_t got = ::pread(fd.get(), block.data(), block.size(), 0);
  if (got >= 8 && std::memcmp(block.data(), kHdf5Signature, 8) == 0) return State::Unsealed;  // no user block
  if (got < static_cast<ssize_t>(block.size())) return State::Unsealed;  // too short to be sealed: HDF5 judges
  const std::string_view whole(block.data(), block.size());
  // No trace of a seal (an all-zero user block, or no HDF5 file at all): unsealed, HDF5 judges.
  if (whole.find("GANDL-STORE-SEAL") == std::string_view::npos && whole.find("\ncrc32 ") == std::string_view::npos)
    return State::Unsealed;
  const std::size_t magic = sizeof kMagic - 1;
  const auto end = std::find(block.begin(), block.end(), '\0');
  const std::string text(block.begin(), end);
  long long bytes = -1;
  unsigned long crc = 0;
  int used = 0;
  const bool parsed = text.compare(0, magic, kMagic) == 0 &&
                      std::sscanf(text.c_str() + magic, "bytes %lld\ncrc32 %8lx\n%n", &bytes, &crc, &used) == 2 &&
                      static_cast<std::size_t>(used) == text.size() - magic &&
                      std::all_of(end, block.end(), [](char c) { return c == 0; });
  if (!parsed) {
    throw h5::Failure(
        "is damaged: its seal (the checksum in the first 512 bytes) is unreadable; the file changed after it was "
        "written (a disk or copy error): embed the screen again or restore a copy");
  }
  const Content content = checksum(fd.get());
  if (content.bytes != bytes) {
    throw h5::Failure("is damaged: it holds " + std::to_string(content.bytes) + " bytes after its seal but " +
                      std::to_string(bytes) +
                      " were written (truncated or extended copy): embed the screen again or restore a copy");
  }
  if (content.crc != crc) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "crc32 %08lx, sealed %08lx", static_cast<unsigned long>(content.crc), crc);
    throw h5::Failure(std::string("is damaged: its bytes changed after it was written (") + detail +
                      "; a disk or copy error): embed the screen again or restore a copy");
  }
  return State::Verified;
}

}  // namespace gandl::store::seal
