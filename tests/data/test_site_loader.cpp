// Decoding sites into [-1, 1] tensors: bit depths, resize, tiles, the real RxRx1 channel map, and
// corrupt or inconsistent files reported by name.
#include <QtTest>

#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/data/data_error.h"
#include "core/data/site_loader.h"

namespace fs = std::filesystem;
using namespace gandl::data;

namespace {

Site siteFromImages(const fs::path& dir, const std::vector<cv::Mat>& channels, const std::string& extension = ".png") {
  Site site;
  site.site_id = "E_1_B02_1";
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const fs::path file = dir / ("B02_s1_w" + std::to_string(c + 1) + extension);
    cv::imwrite(file.string(), channels[c]);
    site.channel_files.push_back(file);
  }
  return site;
}

std::string errorOf(const Site& site) {
  try {
    loadSiteImage(site);
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestSiteLoader : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void eightBitScalesToMinusOneOne() {
    QTemporaryDir dir;
    std::vector<cv::Mat> channels;
    for (int c = 0; c < 5; ++c) {
      cv::Mat m(4, 6, CV_8U, cv::Scalar(0));
      m.at<uchar>(0, 0) = 255;
      m.at<uchar>(1, 2) = static_cast<uchar>(c * 10);
      channels.push_back(m);
    }
    const SiteImage image = loadSiteImage(siteFromImages(dir.path().toStdString(), channels));
    QCOMPARE(image.channels, 5);
    QCOMPARE(image.height, 4);
    QCOMPARE(image.width, 6);
    QCOMPARE(image.bit_depth, 8);
    QCOMPARE(image.channel(3)[0], 1.0f);
    QCOMPARE(image.channel(3)[1], -1.0f);
    QVERIFY(qFuzzyCompare(image.channel(3)[1 * 6 + 2], 30.0f / 127.5f - 1.0f));
  }

  void sixteenBitTiffAndPng() {
    QTemporaryDir dir;
    for (const std::string extension : {".png", ".tif"}) {
      std::vector<cv::Mat> channels(5, cv::Mat(8, 8, CV_16U, cv::Scalar(65535)));
      channels[2] = cv::Mat(8, 8, CV_16U, cv::Scalar(0));
      const SiteImage image = loadSiteImage(siteFromImages(dir.path().toStdString(), channels, extension));
      QCOMPARE(image.bit_depth, 16);
      QCOMPARE(image.channel(0)[5], 1.0f);
      QCOMPARE(image.channel(2)[5], -1.0f);
    }
  }

  void areaResizeAveragesBlocks() {
    QTemporaryDir dir;
    cv::Mat m(4, 4, CV_8U);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) m.at<uchar>(y, x) = static_cast<uchar>((x < 2) == (y < 2) ? 255 : 0);
    const SiteImage image = loadSiteImage(siteFromImages(dir.path().toStdString(), std::vector<cv::Mat>(5, m)), 2);
    QCOMPARE(image.height, 2);
    QCOMPARE(image.channel(0)[0], 1.0f);
    QCOMPARE(image.channel(0)[1], -1.0f);
    QCOMPARE(image.channel(4)[3], 1.0f);
  }

  void tilesCoverACentredGrid() {
    QTemporaryDir dir;
    cv::Mat m(10, 9, CV_8U);
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 9; ++x) m.at<uchar>(y, x) = static_cast<uchar>(y * 16 + x);
    const Site site = siteFromImages(dir.path().toStdString(), std::vector<cv::Mat>(5, m));
    const auto tiles = loadSiteTiles(site, 4);
    const TileGrid grid = tileGrid(10, 9, 4);
    QCOMPARE(grid.rows, 2);
    QCOMPARE(grid.columns, 2);
    QCOMPARE(grid.offset_y, 1);
    QCOMPARE(grid.offset_x, 0);
    QCOMPARE(tiles.size(), std::size_t(4));
    // Second tile of the first row starts at (y=1, x=4).
    QCOMPARE(tiles[1].channel(0)[0], (1 * 16 + 4) / 127.5f - 1.0f);
    QCOMPARE(tiles[3].channel(0)[0], (5 * 16 + 4) / 127.5f - 1.0f);
    // A site smaller than a tile becomes one resized tile.
    QCOMPARE(loadSiteTiles(site, 16).size(), std::size_t(1));
    QCOMPARE(loadSiteTiles(site, 16)[0].height, 16);
  }

  void corruptTruncatedAndMismatchedFilesAreNamed() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    Site site = siteFromImages(root, std::vector<cv::Mat>(5, cv::Mat(16, 16, CV_8U, cv::Scalar(9))));

    // Truncated PNG: the first 40 bytes of a valid file.
    std::vector<uchar> png;
    cv::imencode(".png", cv::Mat(16, 16, CV_8U, cv::Scalar(3)), png);
    std::ofstream(site.channel_files[1], std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(png.data()), 40);
    std::string error = errorOf(site);
    QVERIFY2(error.find("B02_s1_w2.png") != std::string::npos, error.c_str());

    // Random bytes.
    std::ofstream(site.channel_files[1], std::ios::binary | std::ios::trunc) << "not an image at all";
    error = errorOf(site);
    QVERIFY2(error.find("B02_s1_w2.png: cannot decode") != std::string::npos, error.c_str());

    // Channels of different sizes.
    cv::imwrite(site.channel_files[1].string(), cv::Mat(16, 16, CV_8U, cv::Scalar(1)));
    cv::imwrite(site.channel_files[3].string(), cv::Mat(8, 16, CV_8U, cv::Scalar(1)));
    error = errorOf(site);
    QVERIFY2(error.find("B02_s1_w4.png") != std::string::npos && error.find("16x8") != std::string::npos,
             error.c_str());

    // A colour image where a stain is expected.
    cv::imwrite(site.channel_files[3].string(), cv::Mat(16, 16, CV_8UC3, cv::Scalar(1, 2, 3)));
    error = errorOf(site);
    QVERIFY2(error.find("3 colour channels") != std::string::npos, error.c_str());

    // A missing file and an incomplete site.
    fs::remove(site.channel_files[0]);
    QVERIFY(errorOf(site).find("not found") != std::string::npos);
    site.incomplete_reason = "missing channel file(s) w6";
    QVERIFY(errorOf(site).find("incomplete site") != std::string::npos);
  }

  void realRxRx1SiteUsesW6AsFifthChannel() {
    const fs::path plate = fs::path(GANDL_SHARED_DATA_DIR) / "rxrx1-sample/images/HUVEC-01/Plate1";
    if (!fs::exists(plate)) QSKIP("shared/data/rxrx1-sample not present");
    Site site;
    site.site_id = "HUVEC-01_1_B02_1";
    for (int c : {1, 2, 3, 4, 6}) site.channel_files.push_back(plate / ("B02_s1_w" + std::to_string(c) + ".png"));
    const SiteImage native = loadSiteImage(site);
    QCOMPARE(native.height, 512);
    const RawChannel w6 = readChannel(site.channel_files[4]);
    QCOMPARE(w6.width, 512);
    QCOMPARE(native.channel(4)[1000], w6.values[1000] / 127.5f - 1.0f);
    const SiteImage small = loadSiteImage(site, 64);
    QCOMPARE(small.height, 64);
    QCOMPARE(loadSiteTiles(site, 128).size(), std::size_t(16));
  }
};

QTEST_APPLESS_MAIN(TestSiteLoader)
#include "test_site_loader.moc"
