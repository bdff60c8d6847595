// The intensity-and-texture baseline on images whose statistics are known by construction.
#include <QtTest>

#include "core/data/intensity_features.h"
#include "core/data/screen.h"

using namespace gandl;

namespace {

// 5 channels of 40 x 40 at -1 (black); channel 0 gets `squares` bright 5 x 5 squares (value +1).
data::SiteImage image(int squares) {
  data::SiteImage im;
  im.channels = 5;
  im.height = im.width = 40;
  im.pixels.assign(5u * 40u * 40u, -1.f);
  for (int k = 0; k < squares; ++k)
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 5; ++x) im.channel(0)[(3 + y) * 40 + 3 + 12 * k + x] = 1.f;
  return im;
}

float feature(const std::vector<float>& f, int channel, const std::string& name) {
  const auto names = data::intensityFeatureNames(5);
  const auto it = std::find(names.begin(), names.end(), name + "_w" + std::to_string(channel + 1));
  if (it == names.end()) throw std::runtime_error("no feature " + name);
  return f[static_cast<std::size_t>(it - names.begin())];
}

}  // namespace

class TestIntensityFeatures : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void namesMatchValues() {
    const auto f = data::intensityFeatures(image(1));
    QCOMPARE(f.size(), std::size_t(5 * data::kIntensityFeaturesPerChannel));
    QCOMPARE(data::intensityFeatureNames(5).size(), f.size());
    QCOMPARE(data::intensityFeatureNames(5).front(), std::string("mean_w1"));
  }

  void countsAndMeasuresObjects() {
    const auto f = data::intensityFeatures(image(3));
    QCOMPARE(feature(f, 0, "objects"), 3.f);
    QCOMPARE(feature(f, 0, "object_area"), 25.f);
    QVERIFY(std::abs(feature(f, 0, "foreground_fraction") - 75.f / 1600.f) < 1e-6f);
    QVERIFY(std::abs(feature(f, 0, "mean") - 75.f / 1600.f) < 1e-5f);
    QVERIFY(std::abs(feature(f, 0, "foreground_mean") - 1.f) < 1e-5f);
    QCOMPARE(feature(f, 0, "p50"), 0.f);
    QCOMPARE(feature(f, 0, "p99"), 1.f);
    QVERIFY(feature(f, 0, "gradient") > 0.f);
    QVERIFY(feature(f, 0, "glcm_contrast") > 0.f);
  }

  void flatChannelHasNoTexture() {
    const auto f = data::intensityFeatures(image(2));
    for (const char* name : {"sd", "gradient", "laplacian_var", "glcm_contrast", "objects"})
      QCOMPARE(feature(f, 1, name), 0.f);
    QCOMPARE(feature(f, 1, "glcm_homogeneity"), 1.f);
    QCOMPARE(feature(f, 1, "mean"), 0.f);
  }

  void emptyImageIsAnError() { QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::intensityFeatures({})); }
};

QTEST_APPLESS_MAIN(TestIntensityFeatures)
#include "test_intensity_features.moc"
