// The rxrx colour composite: exact colours for saturated channels, hidden channels, clipping, and
// a grid PNG of the expected size.
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include "core/data/composite.h"

using namespace gandl::data;

class TestComposite : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void singleSaturatedChannelGivesItsColour() {
    // 1x1 image, 5 channels; only w3 (phalloidin, red) is on, at 255 (= +1).
    const float pixels[5] = {-1, -1, 1, -1, -1};
    const auto styles = rxrxChannelStyles();
    const auto rgb = composite(pixels, 5, 1, 1, styles);
    QCOMPARE(int(rgb[0]), 255);
    QCOMPARE(int(rgb[1]), 0);
    QCOMPARE(int(rgb[2]), 25);
  }

  void rangeScalesLinearlyAndSumsClip() {
    auto styles = rxrxChannelStyles();
    // w1 at 25.5 of its 0..51 range -> half of (19, 0, 249).
    const float half = 25.5f / 127.5f - 1.0f;
    const float pixels[5] = {half, -1, -1, -1, -1};
    auto rgb = composite(pixels, 5, 1, 1, styles);
    QVERIFY(std::abs(int(rgb[2]) - 124.5) <= 0.5);  // 249 / 2
    QVERIFY(std::abs(int(rgb[0]) - 9.5) <= 0.5);    // 19 / 2
    // Every channel saturated: sums clip at 255.
    const float all[5] = {1, 1, 1, 1, 1};
    rgb = composite(all, 5, 1, 1, styles);
    QCOMPARE(int(rgb[0]), 255);
    QCOMPARE(int(rgb[1]), 255);
    QCOMPARE(int(rgb[2]), 255);
    // Hidden channels contribute nothing.
    for (auto& s : styles) s.visible = false;
    rgb = composite(all, 5, 1, 1, styles);
    QCOMPARE(int(rgb[0]) + int(rgb[1]) + int(rgb[2]), 0);
  }

  void rxrx1MapUsesW6ForTheFifthChannel() {
    const auto styles = rxrxChannelStyles({1, 2, 3, 4, 6});
    QCOMPARE(int(styles[4].red), 254);
    QCOMPARE(styles[4].high, 191.0f);
  }

  void autoContrastSpansThePercentiles() {
    std::vector<float> pixels(5 * 100);
    for (int c = 0; c < 5; ++c)
      for (int i = 0; i < 100; ++i) pixels[c * 100 + i] = (i * 2.0f) / 127.5f - 1.0f;  // 0..198
    auto styles = rxrxChannelStyles();
    autoContrast(styles, pixels.data(), 10, 10, 0.0f, 100.0f);
    QVERIFY(std::abs(styles[0].low - 0.0f) < 1e-3f);
    QVERIFY(std::abs(styles[0].high - 198.0f) < 1e-3f);
  }

  void gridHasTheExpectedSize() {
    QTemporaryDir dir;
    std::vector<float> images(3 * 5 * 4 * 4, 0.0f);
    const std::string path = dir.filePath("grid.png").toStdString();
    writeCompositeGrid(path, images.data(), 3, 5, 4, 4, 2, rxrxChannelStyles(), 3);
    const cv::Mat grid = cv::imread(path);
    QCOMPARE(grid.cols, 2 * (12 + 2) + 2);
    QCOMPARE(grid.rows, 2 * (12 + 2) + 2);
  }
};

QTEST_APPLESS_MAIN(TestComposite)
#include "test_composite.moc"
