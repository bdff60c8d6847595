// Forward (and forward + backward) times of GAN-DL's networks on the CPU, against the ada
// reference measured on this machine class (shared/reference/stylegan2.md: 64 px,
// channel_base 2048, batch 16, 2 threads: D forward 0.15 s, G forward 0.97 s).
// Usage: bench_networks [threads=2] [runs=5] [resolution=64] [channel_base=2048] [only]
// (only: run just the rows whose name contains it, e.g. "D forward+backward")
// (the reference column is for the default configuration; other sizes print the times alone)
#include <algorithm>

#include "bench/bench_timing.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/discriminator.h"
#include "core/model/generator.h"
#include "core/model/host_memory.h"
#include "core/model/torch_runtime.h"

using namespace gandl::model;

using gandl::bench::medianSeconds;

namespace {

std::string only;  // rows to run (substring of their name); empty: all

bool wanted(const std::string& what) { return only.empty() || what.find(only) != std::string::npos; }

void row(const std::string& what, int batch, double seconds, double reference);

// Times `work` (median of `runs`) and prints its row, when the row is wanted.
void measure(const std::string& what, int batch, int runs, const std::function<void()>& work, double reference) {
  if (wanted(what)) row(what, batch, medianSeconds(runs, work), reference);
}

void row(const std::string& what, int batch, double seconds, double reference) {
  std::printf("%-34s %6d %10.3f %10.1f", what.c_str(), batch, seconds, batch / seconds);
  if (reference > 0)
    std::printf(" %10.2f %8.1fx\n", reference, reference / seconds);
  else
    std::printf(" %10s %9s\n", "-", "-");
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = configureThreads(argc > 1 ? std::atoi(argv[1]) : 2);
  useCachingHostAllocator();  // as training does (GANDL_HOST_ALLOCATOR=system: LibTorch's own)
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  torch::manual_seed(0);

  NetworkConfig config;  // 64 px, channel_base 2048, channel_max 512
  if (argc > 3) config.resolution = std::atoi(argv[3]);
  if (argc > 4) config.channel_base = std::atoi(argv[4]);
  if (argc > 5) only = argv[5];
  config.validate();
  const bool referenceConfig = config.resolution == 64 && config.channel_base == 2048;
  const auto ref = [&](double seconds) { return referenceConfig ? seconds : 0.0; };
  const int batch = 16;
  std::printf("GAN-DL networks, %d px, channel_base %d, %d threads, BLAS %s, median of %d\n", config.resolution,
              config.channel_base, threads, loadedBlas().c_str(), runs);
  std::printf("%-34s %6s %10s %10s %10s %9s\n", "what", "batch", "seconds", "img/s", "ref s", "speed-up");

  Discriminator discriminator(config);
  Generator scaled(config, ModulationMode::ScaledActivations);
  Generator grouped(config, ModulationMode::Grouped);
  const auto images = torch::randn({batch, config.image_channels, config.resolution, config.resolution});
  const auto z = torch::randn({batch, config.z_dim});
  {
    torch::NoGradGuard noGrad;
    measure(
        "D forward", batch, runs, [&] { discriminator->forward(images); }, ref(0.15));
    measure(
        "D embed", batch, runs, [&] { discriminator->embed(images); }, 0);
    measure(
        "G forward (scaled activations)", batch, runs, [&] { scaled->forward(z); }, ref(0.97));
    measure(
        "G forward (grouped conv)", batch, runs, [&] { grouped->forward(z); }, ref(0.97));
  }
  measure(
      "D forward+backward", batch, runs,
      [&] {
        discriminator->zero_grad();
        discriminator->forward(images.clone().requires_grad_(true)).sum().backward();
      },
      ref(0.47));
  measure(
      "G+D forward+backward", batch, runs,
      [&] {
        scaled->zero_grad();
        discriminator->zero_grad();
        torch::nn::functional::softplus(-discriminator->forward(scaled->forward(z))).mean().backward();
      },
      ref(3.6));
  return 0;
}
