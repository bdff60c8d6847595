// Background batch loading: order and content independent of threads, errors surface with the
// file name, and a loader torn down mid-stream neither hangs nor leaks.
#include <QtTest>

#include <fstream>
#include <set>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/data/batch_loader.h"
#include "core/data/data_error.h"
#include "core/data/screen_image_source.h"
#include "core/data/site_loader.h"

namespace fs = std::filesystem;
using namespace gandl::data;

namespace {

std::vector<Site> makeSites(const fs::path& dir, int count) {
  std::vector<Site> sites;
  for (int s = 0; s < count; ++s) {
    Site site;
    site.site_id = "site" + std::to_string(s);
    for (int c = 0; c < kModelChannels; ++c) {
      const fs::path file = dir / (site.site_id + "_w" + std::to_string(c + 1) + ".png");
      cv::Mat image(16, 16, CV_8U);
      cv::randu(image, s * 10, s * 10 + 40 + c);
      cv::imwrite(file.string(), image);
      site.channel_files.push_back(file);
    }
    sites.push_back(site);
  }
  return sites;
}

// Batch k holds sites k, k+1, k+2 (mod n): easy to check.
BatchPlan rollingPlan(std::size_t n) {
  return [n](std::int64_t k) {
    std::vector<BatchPick> picks;
    for (std::size_t i = 0; i < 3; ++i) picks.push_back({(static_cast<std::size_t>(k) + i) % n, -1});
    return picks;
  };
}

}  // namespace

class TestBatchLoader : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void batchesArriveInOrderWithTheRightPixels() {
    QTemporaryDir dir;
    const auto sites = makeSites(dir.path().toStdString(), 7);
    for (int threads : {1, 3}) {
      BatchLoader loader(sites, rollingPlan(sites.size()), {8, 2, 12, threads, 3});
      for (std::int64_t k = 2; k < 12; ++k) {
        auto batch = loader.next();
        QVERIFY(batch);
        QCOMPARE(batch->index, k);
        QCOMPARE(batch->size(), std::size_t(3));
        const SiteImage expected = loadSiteImage(sites[(k + 1) % 7], 8);
        const float* second = batch->pixels.data() + expected.pixels.size();
        QVERIFY(std::equal(expected.pixels.begin(), expected.pixels.end(), second));
      }
      QVERIFY(!loader.next());
    }
  }

  void tilesArePicked() {
    QTemporaryDir dir;
    const auto sites = makeSites(dir.path().toStdString(), 2);
    BatchLoader loader(sites, [](std::int64_t) { return std::vector<BatchPick>{{1, 3}}; }, {8, 0, 1, 1, 1});
    const auto batch = loader.next();
    const auto tiles = loadSiteTiles(sites[1], 8);
    QCOMPARE(tiles.size(), std::size_t(4));
    QVERIFY(std::equal(tiles[3].pixels.begin(), tiles[3].pixels.end(), batch->pixels.begin()));
  }

  // Paired batches (the contrastive term's positives): in tiles mode views 2j and 2j + 1 are two
  // different tiles of one site; whole sites come twice; batch k is the same whenever asked.
  void pairedBatchesShowOneSiteTwice() {
    QTemporaryDir dir;
    const auto sites = makeSites(dir.path().toStdString(), 5);
    ScreenImageSource tiled(sites, 8, ViewMode::Tiles, 1);
    QCOMPARE(tiled.viewsPerItem(), 4);
    std::vector<std::vector<SiteImage>> tiles;
    for (const auto& site : sites) tiles.push_back(loadSiteTiles(site, 8));
    const auto tileOf = [&](const float* pixels, std::size_t site) {
      for (int t = 0; t < 4; ++t)
        if (std::equal(tiles[site][t].pixels.begin(), tiles[site][t].pixels.end(), pixels)) return t;
      return -1;
    };
    auto stream = tiled.pairedBatches(6, 3, 2);
    auto batch = stream->next();
    QVERIFY(batch);
    QCOMPARE(batch->count, 12);
    const std::size_t view = tiles[0][0].pixels.size();
    std::set<std::size_t> seen;
    for (int j = 0; j < 6; ++j) {
      const auto site = batch->items[2 * j];
      QCOMPARE(batch->items[2 * j + 1], site);
      const int first = tileOf(batch->pixels.data() + 2 * j * view, site);
      const int second = tileOf(batch->pixels.data() + (2 * j + 1) * view, site);
      QVERIFY(first >= 0 && second >= 0);
      QVERIFY(first != second);
      seen.insert(site);
    }
    QVERIFY(seen.size() > 1);
    auto again = tiled.pairedBatches(6, 3, 2)->next();
    QVERIFY(again->pixels == batch->pixels);
    QVERIFY(tiled.pairedBatches(6, 4, 2)->next()->items != batch->items);  // another seed, other pairs

    ScreenImageSource whole(sites, 8, ViewMode::Resize, 1);
    auto wholeBatch = whole.pairedBatches(3, 3, 0)->next();
    QCOMPARE(wholeBatch->count, 6);
    for (int j = 0; j < 3; ++j) {
      QCOMPARE(wholeBatch->items[2 * j + 1], wholeBatch->items[2 * j]);
      QVERIFY(std::equal(wholeBatch->pixels.begin() + 2 * j * view, wholeBatch->pixels.begin() + (2 * j + 1) * view,
                         wholeBatch->pixels.begin() + (2 * j + 1) * view));
    }
  }

  void aWorkerErrorReachesTheConsumerWithTheFileName() {
    QTemporaryDir dir;
    auto sites = makeSites(dir.path().toStdString(), 4);
    std::ofstream(sites[2].channel_files[3], std::ios::trunc) << "corrupt";
    BatchLoader loader(sites,
                       [](std::int64_t k) {
                         return std::vector<BatchPick>{{std::size_t(k), -1}};
                       },
                       {8, 0, 4, 2, 2});
    QVERIFY(loader.next());
    QVERIFY(loader.next());
    try {
      loader.next();
      QFAIL("expected a DataError");
    } catch (const DataError& e) {
      QVERIFY2(std::string(e.what()).find("site2_w4.png") != std::string::npos, e.what());
    }
  }

  void destroyingAnEndlessLoaderDoesNotHang() {
    QTemporaryDir dir;
    const auto sites = makeSites(dir.path().toStdString(), 3);
    {
      BatchLoader loader(sites, rollingPlan(sites.size()), {8, 0, -1, 2, 4});
      QVERIFY(loader.next());
    }
    QVERIFY(true);
  }
};

QTEST_APPLESS_MAIN(TestBatchLoader)
#include "test_batch_loader.moc"
