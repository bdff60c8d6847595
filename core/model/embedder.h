#pragma once
// GAN-DL's representation: the discriminator's epilogue FC output (512-d for the shipped
// configurations), evaluated in eval mode with every image as its own minibatch-stddev group
// (see discriminator.h), so a site's vector never depends on the batch it was computed in. A
// site's vector is the mean over its views (one view when sites are resized; every tile of the
// fixed grid otherwise). Torch-free facade.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/image_source.h"
#include "core/model/test_time_views.h"
#include "core/model/network_config.h"
#include "core/tasks/progress.h"

namespace gandl::model {

enum class EmbedderKind {
  GanDl,                // the trained discriminator of a checkpoint
  RandomDiscriminator,  // the same architecture with random initial weights (a baseline)
};

struct CheckpointInfo {
  std::filesystem::path run;
  std::filesystem::path file;  // the step-<N>.pt used
  std::int64_t step = 0;
  std::string hash;  // content hash of that file ("fnv1a64:<hex>")
  NetworkConfig network;
  std::string view;  // training view: "resize" or "tiles"
};

// Reads config.json and the latest checkpoint's identity; throws std::runtime_error naming the
// folder when it is not a run directory with a checkpoint. With requireWeights = false (the
// random-d baseline, which needs only the architecture) a folder with config.json alone will do:
// step 0, no file, no hash.
CheckpointInfo describeCheckpoint(const std::filesystem::path& runDir, bool requireWeights = true);

// The default views per forward pass: 16 on the CPU, 64 on a GPU. On the CPU a larger batch
// is slower, not faster: at 64 views a 64 px discriminator's first activations are 134 MB,
// beyond glibc's largest mmap threshold (32 MiB), so every batch maps fresh pages and
// page-faults them in again (768 demo sites: 4.4 s at batch 16, 34 s at batch 64, most of it
// system time; docs/benchmarks.md). A process-wide malloc tuning that fixed this slowed
// training three times, so the batch is what adapts.
int defaultEmbedBatch(const std::string& device);

// Which features of the discriminator a site's vector is made of.
enum class Readout {
  Fc512,       // the GAN-DL embedding: the epilogue FC output (the paper's; the default)
  Multiscale,  // every block's output and the epilogue conv averaged over space, concatenated
};
Readout parseReadout(const std::string& name);  // "fc512" | "multiscale"; throws otherwise
std::string readoutName(Readout readout);

struct EmbedOptions {
  EmbedderKind kind = EmbedderKind::GanDl;
  Readout readout = Readout::Fc512;
  // Test-time augmentation: each view is also seen rotated, flipped and/or shifted (the
  // transformations training augments with) and the readout averaged over the copies, which
  // makes it independent of the site's orientation and of where in a view a cell sits.
  // views.count() x the compute.
  TestTimeViews views;
  int batch = 0;  // 0: defaultEmbedBatch(device)
  std::string device = "cpu";
  std::uint64_t seed = 0;  // RandomDiscriminator's weights
};

// Holds the network once (loaded from the checkpoint, or randomly initialised) for any number of
// embedItems() calls, e.g. one per plate.
class Embedder {
 public:
  using Sink = std::function<void(const std::vector<std::size_t>&, const std::vector<float>&)>;

  Embedder(const CheckpointInfo& checkpoint, const EmbedOptions& options);
  ~Embedder();
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  int dimension() const;
  // Embeds `items` of `source` in order; calls `sink(items, rows)` once per chunk of complete
  // items (rows: items.size() x dimension(), row-major). Checks for cancel once per batch.
  // Returns the seconds spent waiting for the source's batches (I/O not hidden by compute).
  double embedItems(common::ImageSource& source, const std::vector<std::size_t>& items, const Sink& sink,
                    const tasks::TaskContext& context = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::model
