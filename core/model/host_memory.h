#pragma once
// Host memory for LibTorch's large CPU tensors. glibc serves every allocation above 32 MiB with a
// fresh mmap and returns it on free, so each large activation of a training step (a 256 px
// batch: 16 x 128 x 256 x 256 floats = 537 MB) is faulted in page by page and zeroed by the
// kernel again, every step: half of a 256 px step was system time. This allocator keeps freed
// large blocks (>= 1 MiB, rounded to 2 MiB) for reuse by the next tensor of the same rounded size,
// maps new ones with transparent huge pages (madvise), and hands small requests to LibTorch's own
// allocator. The cache is bounded (GANDL_HOST_CACHE_MB, default a quarter of physical memory);
// past it, freed blocks go back to the kernel. Torch-free header.

#include <cstddef>

namespace gandl::model {

// Makes the caching allocator LibTorch's CPU allocator for this process (idempotent; a no-op
// with GANDL_HOST_ALLOCATOR=system). Tensors allocated before keep their own deleters.
void useCachingHostAllocator();

// Returns every cached (free) block to the kernel, e.g. when a training run ends in the GUI.
void releaseCachedHostMemory();

struct HostMemoryStats {
  std::size_t cached_bytes = 0;  // free blocks kept for reuse
  std::size_t allocations = 0;   // large allocations served
  std::size_t reused = 0;        // of which from the cache
  std::size_t cache_limit_bytes = 0;
};
HostMemoryStats hostMemoryStats();

}  // namespace gandl::model
