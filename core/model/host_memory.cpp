#include "core/model/host_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gandl::model {
namespace {

constexpr std::size_t kLarge = std::size_t{1} << 20;    // smaller requests: LibTorch's allocator
constexpr std::size_t kGranule = std::size_t{2} << 20;  // a transparent huge page

std::size_t defaultLimit() {
  if (const char* mb = std::getenv("GANDL_HOST_CACHE_MB"); mb && *mb) return std::strtoull(mb, nullptr, 10) << 20;
  const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0) return std::size_t{4} << 30;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(pageSize) / 4;
}

class Cache {
 public:
  static Cache& instance() {
    static Cache* cache = new Cache();  // outlives every tensor (never destroyed)
    return *cache;
  }

  void* take(std::size_t bytes) {
    const std::size_t size = (bytes + kGranule - 1) / kGranule * kGranule;
    {
      std::lock_guard lock(mutex_);
      ++stats_.allocations;
      auto found = free_.find(size);
      if (found != free_.end() && !found->second.empty()) {
        void* data = found->second.back();
        found->second.pop_back();
        stats_.cached_bytes -= size;
        ++stats_.reused;
        live_[data] = size;
        return data;
      }
    }
    void* data = map(size);
    if (!data) {  // out of address space or memory: give the cache back and try once more
      releaseAll();
      data = map(size);
      if (!data) throw std::bad_alloc();
    }
    std::lock_guard lock(mutex_);
    live_[data] = size;
    return data;
  }

  // False when `data` is not one of this cache's blocks (a small allocation).
  bool give(void* data) {
    std::size_t size = 0;
    {
      std::lock_guard lock(mutex_);
      const auto found = live_.find(data);
      if (found == live_.end()) return false;
      size = found->second;
      live_.erase(found);
      if (stats_.cached_bytes + size <= stats_.cache_limit_bytes) {
        free_[size].push_back(data);
        stats_.cached_bytes += size;
        return true;
      }
    }
    ::munmap(data, size);
    return true;
  }

  void releaseAll() {
    std::vector<std::pair<void*, std::size_t>> blocks;
    {
      std::lock_guard lock(mutex_);
      for (auto& [size, list] : free_)
        for (void* data : list) blocks.emplace_back(data, size);
      free_.clear();
      stats_.cached_bytes = 0;
    }
    for (const auto& [data, size] : blocks) ::munmap(data, size);
  }

  HostMemoryStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  Cache() { stats_.cache_limit_bytes = defaultLimit(); }

  static void* map(std::size_t size) {
    void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) return nullptr;
#ifdef MADV_HUGEPAGE
    ::madvise(data, size, MADV_HUGEPAGE);  // a hint: ignored where THP is off
#endif
    return data;
  }

  std::mutex mutex_;
  std::map<std::size_t, std::vector<void*>> free_;  // rounded size -> free blocks
  std::unordered_map<void*, std::size_t> live_;     // blocks in use -> rounded size
  HostMemoryStats stats_;
};

c10::DeleterFnPtr smallDeleter = nullptr;  // LibTorch's own allocator's

// Every pointer this allocator handed out comes back here (LibTorch's raw_allocate callers use
// raw_deleter() for large and small alike).
void giveBack(void* data) {
  if (!Cache::instance().give(data)) smallDeleter(data);
}

class CachingHostAllocator final : public c10::Allocator {
 public:
  explicit CachingHostAllocator(c10::Allocator* small) : small_(small) { smallDeleter = small->raw_deleter(); }

  c10::DataPtr allocate(std::size_t bytes) const override {
    if (bytes < kLarge) {
      c10::DataPtr small = small_->allocate(bytes);
      void* data = small.release_context();  // LibTorch's CPU allocator: context == data
      return {data, data, &giveBack, c10::Device(c10::DeviceType::CPU)};
    }
    void* data = Cache::instance().take(bytes);
    return {data, data, &giveBack, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &giveBack; }

 private:
  c10::Allocator* small_;
};

}  // namespace

void useCachingHostAllocator() {
  static const bool installed = [] {
    if (const char* choice = std::getenv("GANDL_HOST_ALLOCATOR"); choice && std::string(choice) == "system")
      return false;  // LibTorch's own allocator (for comparison, or should this one misbehave)
    static CachingHostAllocator allocator(c10::GetDefaultCPUAllocator());
    c10::SetCPUAllocator(&allocator, /*priority=*/10);
    return true;
  }();
  (void)installed;
}

void releaseCachedHostMemory() { Cache::instance().releaseAll(); }

HostMemoryStats hostMemoryStats() { return Cache::instance().stats(); }

}  // namespace gandl::model
