#include "core/model/global_rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

namespace gandl::model {

std::recursive_mutex& globalRngMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

IsolatedGlobalRng::IsolatedGlobalRng() : lock_(globalRngMutex()) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> guard(generator.mutex());
  saved_ = generator.get_state();
}

IsolatedGlobalRng::~IsolatedGlobalRng() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> guard(generator.mutex());
  generator.set_state(saved_);
}

}  // namespace gandl::model
