#include "core/data/screen_image_source.h"

#include "core/data/batch_loader.h"
#include "core/data/data_error.h"
#include "core/data/site_loader.h"

namespace gandl::data {
namespace {

// SplitMix64: a stateless hash, so batch k's picks need no generator state.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class LoaderStream : public common::BatchStream {
 public:
  LoaderStream(std::vector<Site> sites, BatchPlan plan, BatchLoader::Options options)
      : loader_(std::move(sites), std::move(plan), options) {}

  std::optional<common::HostBatch> next() override {
    auto batch = loader_.next();
    if (!batch) return std::nullopt;
    common::HostBatch host;
    host.index = batch->index;
    host.count = static_cast<int>(batch->size());
    host.channels = batch->channels;
    host.height = batch->height;
    host.width = batch->width;
    host.pixels = std::move(batch->pixels);
    for (const auto& pick : batch->picks) host.items.push_back(pick.site);
    return host;
  }
  double waitedSeconds() const override { return loader_.waitedSeconds(); }

 private:
  BatchLoader loader_;
};

}  // namespace

std::vector<Site> completeSites(const Screen& screen, std::size_t* skipped) {
  std::vector<Site> sites;
  for (const auto& site : screen.sites)
    if (site.complete()) sites.push_back(site);
  if (skipped) *skipped = screen.sites.size() - sites.size();
  return sites;
}

ScreenImageSource::ScreenImageSource(std::vector<Site> sites, int resolution, ViewMode mode, int threads)
    : sites_(std::move(sites)), resolution_(resolution), mode_(mode), threads_(threads) {
  if (sites_.empty()) throw DataError("screen", "has no complete site to load images from");
  for (const auto& site : sites_)
    if (!site.complete()) throw DataError(site.site_id, "incomplete site: " + site.incomplete_reason);
  if (mode_ == ViewMode::Tiles) {
    const RawChannel first = readChannel(sites_.front().channel_files.front());
    const TileGrid grid = tileGrid(first.height, first.width, resolution_);
    gridRows_ = grid.rows;
    gridColumns_ = grid.columns;
    viewsPerItem_ = grid.rows * grid.columns;
  }
}

std::string ScreenImageSource::viewDescription() const {
  if (mode_ == ViewMode::Resize)
    return "site area-resized to " + std::to_string(resolution_) + "x" + std::to_string(resolution_);
  return "centred grid of " + std::to_string(gridRows_) + "x" + std::to_string(gridColumns_) + " tiles of " +
         std::to_string(resolution_) + " px, mean over tiles";
}

std::unique_ptr<common::BatchStream> ScreenImageSource::trainingBatches(int batchSize, std::uint64_t seed,
                                                                        std::int64_t firstBatch,
                                                                        const std::vector<int>& members) {
  const std::size_t n = sites_.size();
  const int views = viewsPerItem_;
  const bool tiles = mode_ == ViewMode::Tiles;
  std::vector<int> positions = members;
  if (positions.empty())
    for (int i = 0; i < batchSize; ++i) positions.push_back(i);
  for (int i : positions)
    if (i < 0 || i >= batchSize)
      throw std::out_of_range("batch position " + std::to_string(i) + " outside a batch of " +
                              std::to_string(batchSize));
  BatchPlan plan = [=](std::int64_t k) {
    std::vector<BatchPick> picks;
    for (int i : positions) {
      const std::uint64_t h =
          mix(mix(seed ^ 0x6A09E667F3BCC909ull) + static_cast<std::uint64_t>(k) * 0x100000001B3ull + i);
      picks.push_back({static_cast<std::size_t>(h % n),
                       tiles ? static_cast<int>((h >> 32) % static_cast<std::uint64_t>(views)) : -1});
    }
    return picks;
  };
  BatchLoader::Options options{resolution_, firstBatch, -1, threads_, 4};
  return std::make_unique<LoaderStream>(sites_, std::move(plan), options);
}

std::unique_ptr<common::BatchStream> ScreenImageSource::pairedBatches(int pairs, std::uint64_t seed,
                                                                      std::int64_t firstBatch) {
  if (mode_ != ViewMode::Tiles) return ImageSource::pairedBatches(pairs, seed, firstBatch);
  const std::size_t n = sites_.size();
  const auto views = static_cast<std::uint64_t>(viewsPerItem_);
  BatchPlan plan = [=](std::int64_t k) {
    std::vector<BatchPick> picks;
    for (int j = 0; j < pairs; ++j) {
      const std::uint64_t h =
          mix(mix(seed ^ 0xBB67AE8584CAA73Bull) + static_cast<std::uint64_t>(k) * 0x100000001B3ull + j);
      const std::uint64_t other = mix(h);
      const auto first = static_cast<int>((h >> 32) % views);
      const auto second = views > 1 ? static_cast<int>((first + 1 + other % (views - 1)) % views) : first;
      picks.push_back({static_cast<std::size_t>(h % n), first});
      picks.push_back({static_cast<std::size_t>(h % n), second});
    }
    return picks;
  };
  BatchLoader::Options options{resolution_, firstBatch, -1, threads_, 4};
  return std::make_unique<LoaderStream>(sites_, std::move(plan), options);
}

std::unique_ptr<common::BatchStream> ScreenImageSource::embeddingBatches(const std::vector<std::size_t>& items,
                                                                         int batchSize) {
  std::vector<BatchPick> views;
  for (std::size_t item : items) {
    if (item >= sites_.size()) throw std::out_of_range("item index past the screen's sites");
    if (mode_ == ViewMode::Resize)
      views.push_back({item, -1});
    else
      for (int t = 0; t < viewsPerItem_; ++t) views.push_back({item, t});
  }
  const auto size = static_cast<std::int64_t>(std::max(1, batchSize));
  const auto batches = (static_cast<std::int64_t>(views.size()) + size - 1) / size;
  auto shared = std::make_shared<std::vector<BatchPick>>(std::move(views));
  BatchPlan plan = [shared, size](std::int64_t k) {
    const auto begin = shared->begin() + k * size;
    const auto end =
        shared->begin() + std::min<std::int64_t>(static_cast<std::int64_t>(shared->size()), (k + 1) * size);
    return std::vector<BatchPick>(begin, end);
  };
  BatchLoader::Options options{resolution_, 0, batches, threads_, 4};
  return std::make_unique<LoaderStream>(sites_, std::move(plan), options);
}

}  // namespace gandl::data
