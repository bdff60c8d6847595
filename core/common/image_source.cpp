#include "core/common/image_source.h"

#include <algorithm>
#include <iterator>

namespace gandl::common {
namespace {

// trainingBatches' views, each given twice in a row.
class DoubledStream : public BatchStream {
 public:
  explicit DoubledStream(std::unique_ptr<BatchStream> inner) : inner_(std::move(inner)) {}
  std::optional<HostBatch> next() override {
    auto batch = inner_->next();
    if (!batch) return std::nullopt;
    HostBatch doubled = *batch;
    doubled.count = 2 * batch->count;
    doubled.pixels.clear();
    doubled.items.clear();
    const std::size_t plane = static_cast<std::size_t>(batch->channels) * static_cast<std::size_t>(batch->height) *
                              static_cast<std::size_t>(batch->width);
    for (int i = 0; i < batch->count; ++i) {
      const auto first = batch->pixels.begin() + static_cast<std::ptrdiff_t>(i * plane);
      for (int copy = 0; copy < 2; ++copy) {
        doubled.pixels.insert(doubled.pixels.end(), first, first + static_cast<std::ptrdiff_t>(plane));
        doubled.items.push_back(batch->items[static_cast<std::size_t>(i)]);
      }
    }
    return doubled;
  }
  double waitedSeconds() const override { return inner_->waitedSeconds(); }

 private:
  std::unique_ptr<BatchStream> inner_;
};

}  // namespace

std::unique_ptr<BatchStream> ImageSource::pairedBatches(int pairs, std::uint64_t seed, std::int64_t firstBatch) {
  return std::make_unique<DoubledStream>(trainingBatches(pairs, seed, firstBatch, {}));
}

}  // namespace gandl::common
