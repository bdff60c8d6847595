#pragma once
// LibTorch draws initial weights, synthesis noise, latents and augmentations from one
// process-wide CPU generator. Training depends on that stream (a resumed run continues it
// exactly), so nothing else in the process may draw from it while a training step runs, and
// nothing else may leave it changed: the workbench samples generated images, probes and embeds
// beside a running training task.
//
// - The trainer holds GlobalRngLock for each step (and while it seeds or restores the stream).
// - Everyone else who constructs a network or seeds the generator does it inside an
//   IsolatedGlobalRng: it waits for the current step to end, and puts the stream back as it
//   found it when it goes out of scope.

#include <ATen/core/Tensor.h>

#include <mutex>

namespace gandl::model {

std::recursive_mutex& globalRngMutex();

using GlobalRngLock = std::unique_lock<std::recursive_mutex>;
inline GlobalRngLock lockGlobalRng() { return GlobalRngLock(globalRngMutex()); }

class IsolatedGlobalRng {
 public:
  IsolatedGlobalRng();
  ~IsolatedGlobalRng();
  IsolatedGlobalRng(const IsolatedGlobalRng&) = delete;
  IsolatedGlobalRng& operator=(const IsolatedGlobalRng&) = delete;

 private:
  GlobalRngLock lock_;
  at::Tensor saved_;
};

}  // namespace gandl::model
