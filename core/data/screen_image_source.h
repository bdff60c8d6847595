#pragma once
// The screen's complete sites as a common::ImageSource: background loading through BatchLoader,
// each site either area-resized to the model resolution (the default: the model sees whole sites)
// or cut into the centred grid of resolution-sized tiles.

#include "core/data/screen.h"
#include "core/common/image_source.h"

namespace gandl::data {

enum class ViewMode { Resize, Tiles };

class ScreenImageSource : public common::ImageSource {
 public:
  // `sites` must be complete; throws DataError when there is none. With ViewMode::Tiles the tile
  // grid comes from the first site's size (a screen has one image size).
  ScreenImageSource(std::vector<Site> sites, int resolution, ViewMode mode = ViewMode::Resize, int threads = 2);

  std::size_t itemCount() const override { return sites_.size(); }
  std::string itemId(std::size_t item) const override { return sites_.at(item).site_id; }
  int resolution() const override { return resolution_; }
  int channels() const override { return kModelChannels; }
  std::string viewDescription() const override;
  int viewsPerItem() const { return viewsPerItem_; }
  const std::vector<Site>& sites() const { return sites_; }

  std::unique_ptr<common::BatchStream> trainingBatches(int batchSize, std::uint64_t seed, std::int64_t firstBatch,
                                                       const std::vector<int>& members) override;
  // Two different tiles of one site per pair in tiles mode (a site with one tile: it twice).
  std::unique_ptr<common::BatchStream> pairedBatches(int pairs, std::uint64_t seed, std::int64_t firstBatch) override;
  std::unique_ptr<common::BatchStream> embeddingBatches(const std::vector<std::size_t>& items, int batchSize) override;

 private:
  std::vector<Site> sites_;
  int resolution_;
  ViewMode mode_;
  int threads_;
  int viewsPerItem_ = 1;
  int gridRows_ = 1, gridColumns_ = 1;
};

// The complete sites of a screen, with how many were skipped.
std::vector<Site> completeSites(const Screen& screen, std::size_t* skipped = nullptr);

}  // namespace gandl::data
