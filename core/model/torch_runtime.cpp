#include "core/model/torch_runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

namespace gandl::model {

namespace {

void pinOpenBlasToOneThread() {
  if (std::getenv("OPENBLAS_NUM_THREADS")) return;  // the user's explicit choice stands
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
}

}  // namespace

int configureThreads(int threads) {
  pinOpenBlasToOneThread();
  if (threads <= 0) {
    if (const char* fromEnv = std::getenv("GANDL_THREADS")) threads = std::atoi(fromEnv);
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  return at::get_num_threads();
}

int currentThreads() { return at::get_num_threads(); }

std::vector<std::string> mappedLibraries(const std::string& fragment) {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> found;
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find(fragment) != std::string::npos) found.insert(path);
  }
  return {found.begin(), found.end()};
}

std::string loadedBlas() {
  // libblas.so.3 is a Debian alternative; the mapped file's real path names the implementation.
  for (const auto& path : mappedLibraries("")) {
    if (path.find("openblas") != std::string::npos) return "openblas";
    if (path.find("libmkl") != std::string::npos) return "mkl";
    if (path.find("blis") != std::string::npos) return "blis";
  }
  for (const auto& path : mappedLibraries("libblas.so")) {
    if (path.find("/blas/") != std::string::npos || path.find("libblas.so.3") != std::string::npos) return "reference";
  }
  return "unknown";
}

std::string resolveDevice(const std::string& requested) {
  const bool cuda = torch::cuda::is_available();
  if (requested == "auto") return cuda ? "cuda:0" : "cpu";
  if (requested == "cpu") return "cpu";
  if (requested.rfind("cuda", 0) == 0) {
    int index = 0;
    if (requested.size() > 4) {
      if (requested[4] != ':' || requested.size() == 5)
        throw std::invalid_argument("unknown device '" + requested + "'; expected cuda or cuda:<i>");
      index = std::stoi(requested.substr(5));
    }
    if (!cuda)
      throw std::invalid_argument(
          "device '" + requested +
          "' requested, but this LibTorch build sees no CUDA device (Debian's LibTorch is CPU-only; "
          "build against a CUDA LibTorch with -DCMAKE_PREFIX_PATH=/path/to/libtorch)");
    if (index < 0 || index >= static_cast<int>(torch::cuda::device_count()))
      throw std::invalid_argument("device '" + requested + "' does not exist; this machine has " +
                                  std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return "cuda:" + std::to_string(index);
  }
  throw std::invalid_argument("unknown device '" + requested + "'; expected auto, cpu, cuda or cuda:<i>");
}

std::string runtimeSummary() {
  std::string devices;
  for (const auto& d : availableDevices()) devices += (devices.empty() ? "" : " ") + d;
  return std::string("LibTorch ") + TORCH_VERSION + ", devices " + devices + " (" +
         (torch::cuda::is_available() ? "CUDA" : "this build or machine has no CUDA") + "), BLAS " + loadedBlas();
}

std::vector<std::string> availableDevices() {
  std::vector<std::string> devices{"cpu"};
  if (torch::cuda::is_available())
    for (std::size_t i = 0; i < torch::cuda::device_count(); ++i) devices.push_back("cuda:" + std::to_string(i));
  return devices;
}

}  // namespace gandl::model
