#pragma once
// Where a discriminator keeps what it knows about an image: several readouts of one forward pass
// per site, for linear probes (gandl probe, docs/validation.md). Torch-free facade.
//
// Readouts, each averaged over a site's views:
//   fc512         the GAN-DL embedding: epilogue FC output, every image its own minibatch-stddev
//                 group (what `gandl embed` stores)
//   fc512_mbstd   the same FC output with the stddev channel set to the mean value the layer
//                 gives on groups of mbstd_group real views (training's operating point; the
//                 group-of-one value is sqrt(1e-8))
//   pool_b<res>   each residual block's output, averaged over space (channel means)
//   pool_epilogue the epilogue conv output averaged over space
//   multiscale    every pool_* side by side (gandl embed --readout multiscale)
//   logit         D's output (group of one)

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/common/image_source.h"
#include "core/model/network_config.h"
#include "core/model/test_time_views.h"
#include "core/tasks/progress.h"

namespace gandl::model {

struct ProbeReadout {
  std::string name;
  int dimension = 0;
  std::vector<float> rows;  // items x dimension, row-major, in the order of the items asked for
};

struct ProbeOutput {
  std::vector<ProbeReadout> readouts;  // the last one is "logit"
  double mbstdReal = 0;                // the stddev channel's mean on real groups (fc512_mbstd)
};

class DiscriminatorProbe {
 public:
  // checkpointFile: a step-<N>.pt (training checkpoint or inference-only export) of `network`;
  // empty: random initial weights drawn with `seed` (the random-d baseline).
  DiscriminatorProbe(const NetworkConfig& network, const std::filesystem::path& checkpointFile,
                     const std::string& device, std::uint64_t seed = 0);
  ~DiscriminatorProbe();
  DiscriminatorProbe(const DiscriminatorProbe&) = delete;
  DiscriminatorProbe& operator=(const DiscriminatorProbe&) = delete;

  // Every readout of `items` of `source`. Checks for cancel once per batch. Every readout is the
  // mean over the test-time copies of each view (gandl embed --tta).
  ProbeOutput run(common::ImageSource& source, const std::vector<std::size_t>& items, int batch = 16,
                  const tasks::TaskContext& context = {}, const TestTimeViews& testTimeViews = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::model
