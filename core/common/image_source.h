#pragma once
// How the trainer and the embedder receive images: batches of float pixels plus the item (site)
// each image came from. Declared in core/common so that neither core/model nor core/data
// depends on the other: core/model consumes it, core/data implements it
// (data::ScreenImageSource). Torch-free.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gandl::common {

struct HostBatch {
  std::int64_t index = 0;
  int count = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<float> pixels;       // [count][channels][height][width], values in [-1, 1]
  std::vector<std::size_t> items;  // the item each image is a view of
};

class BatchStream {
 public:
  virtual ~BatchStream() = default;
  // The next batch; std::nullopt when the stream is finite and exhausted.
  virtual std::optional<HostBatch> next() = 0;
  // Seconds the consumer spent waiting for data (I/O not hidden behind compute).
  virtual double waitedSeconds() const = 0;
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual std::size_t itemCount() const = 0;
  virtual std::string itemId(std::size_t item) const = 0;
  virtual int resolution() const = 0;
  virtual int channels() const = 0;
  // How an item becomes model-sized views, for provenance ("resize", "tiles 4x4 of 64 px").
  virtual std::string viewDescription() const = 0;

  // Endless random batches for training. Image i of batch k depends only on (seed, k, i), so a run
  // resumed at batch k continues with exactly the data an uninterrupted run would have used.
  // `members`: the positions i (0 .. batchSize-1) of every global batch this process loads, in
  // that order (a rank of a data-parallel job); empty: all of them.
  virtual std::unique_ptr<BatchStream> trainingBatches(int batchSize, std::uint64_t seed, std::int64_t firstBatch,
                                                       const std::vector<int>& members) = 0;
  // Endless batches of 2 * `pairs` views in which views 2j and 2j + 1 show the same item: two
  // different views where the item has several (two tiles of one site), else the same view twice.
  // Batch k depends only on (seed, k), like trainingBatches. The default gives each of
  // trainingBatches' views twice.
  virtual std::unique_ptr<BatchStream> pairedBatches(int pairs, std::uint64_t seed, std::int64_t firstBatch);

  // Every view of `items` exactly once, in order (all views of an item are consecutive).
  virtual std::unique_ptr<BatchStream> embeddingBatches(const std::vector<std::size_t>& items, int batchSize) = 0;
};

}  // namespace gandl::common
