// Forward (and forward + backward) times of GAN-DL's networks on the CPU, against the ada
// reference measured on this machine class (shared/reference/stylegan2.md: 64 px,
// channel_base 2048, batch 16, 2 threads: D forward 0.15 s, G forward 0.97 s).
// Usage: bench_networks [threads=2] [runs=5]
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
#include "core/model/torch_runtime.h"

using namespace gandl::model;

using gandl::bench::medianSeconds;

namespace {

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
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  torch::manual_seed(0);

  NetworkConfig config;  // 64 px, channel_base 2048, channel_max 512
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
    row("D forward", batch, medianSeconds(runs, [&] { discriminator->forward(images); }), 0.15);
    row("D embed", batch, medianSeconds(runs, [&] { discriminator->embed(images); }), 0);
    row("G forward (scaled activations)", batch, medianSeconds(runs, [&] { scaled->forward(z); }), 0.97);
    row("G forward (grouped conv)", batch, medianSeconds(runs, [&] { grouped->forward(z); }), 0.97);
  }
  row("D forward+backward", batch,
      medianSeconds(runs,
                    [&] {
                      discriminator->zero_grad();
                      discriminator->forward(images.clone().requires_grad_(true)).sum().backward();
                    }),
      0.47);
  row("G+D forward+backward", batch,
      medianSeconds(runs,
                    [&] {
                      scaled->zero_grad();
                      discriminator->zero_grad();
                      torch::nn::functional::softplus(-discriminator->forward(scaled->forward(z))).mean().backward();
                    }),
      3.6);
  return 0;
}
