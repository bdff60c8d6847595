// Per-plate normalization on controls: plate effects removed exactly, TVN whitens the controls,
// clear errors for plates without enough controls.
#include <QtTest>

#include <random>

#include "core/analysis/normalization.h"

using namespace gandl::analysis;

namespace {

// Three plates with the same underlying rows; plate p is plate 0 stretched by scale_p and
// shifted by shift_p per feature. The first `controls` rows of each plate are controls.
struct PlateData {
  FeatureMatrix x;
  std::vector<int> plate;
  std::vector<bool> control;
  int rowsPerPlate = 0;
};

PlateData shiftedPlates(int rowsPerPlate, int controls, int d, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  FeatureMatrix base(rowsPerPlate, d);
  for (int i = 0; i < base.size(); ++i) base.data()[i] = normal(engine);
  PlateData data;
  data.rowsPerPlate = rowsPerPlate;
  data.x.resize(3 * rowsPerPlate, d);
  const float scales[3] = {1.0f, 2.0f, 0.5f};
  const float shifts[3] = {0.0f, 3.0f, -7.5f};
  for (int p = 0; p < 3; ++p) {
    for (int j = 0; j < d; ++j)
      data.x.block(p * rowsPerPlate, j, rowsPerPlate, 1) =
          base.col(j).array() * (scales[p] + 0.1f * j) + shifts[p] * (j + 1);
    for (int i = 0; i < rowsPerPlate; ++i) {
      data.plate.push_back(10 + p);
      data.control.push_back(i < controls);
    }
  }
  return data;
}

}  // namespace

class TestNormalization : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void centreScaleRemovesPlateEffectsExactly() {
    const PlateData data = shiftedPlates(60, 20, 4, 1);
    const FeatureMatrix out = normalize(data.x, data.plate, data.control);
    const int n = data.rowsPerPlate;
    for (int p = 1; p < 3; ++p) QVERIFY((out.middleRows(p * n, n) - out.topRows(n)).cwiseAbs().maxCoeff() < 1e-4f);
    // Controls of each plate: mean 0, sd 1 (up to the eps guard).
    for (int p = 0; p < 3; ++p) {
      const Eigen::MatrixXd controls = out.middleRows(p * n, 20).cast<double>();
      const Eigen::RowVectorXd centre = controls.colwise().mean();
      QVERIFY(centre.cwiseAbs().maxCoeff() < 1e-5);
      const Eigen::RowVectorXd sd = ((controls.rowwise() - centre).array().square().colwise().sum() / 19.0).sqrt();
      QVERIFY((sd.array() - 1.0).abs().maxCoeff() < 1e-4);
    }
    // The raw matrix is untouched and differs from the result.
    QVERIFY((out - data.x).cwiseAbs().maxCoeff() > 1.0f);
  }

  void robustRemovesPlateEffectsAndFollowsItsFormula() {
    const PlateData data = shiftedPlates(61, 21, 3, 2);
    NormalizationOptions options;
    options.method = NormalizationMethod::PlateRobust;
    const FeatureMatrix out = normalize(data.x, data.plate, data.control, options);
    const int n = data.rowsPerPlate;
    for (int p = 1; p < 3; ++p) QVERIFY((out.middleRows(p * n, n) - out.topRows(n)).cwiseAbs().maxCoeff() < 1e-4f);

    // Hand-computed: controls {1, 2, 3, 4, 100}: median 3, MAD 1; the row 10 -> 7 / 1.4826.
    FeatureMatrix x(6, 1);
    x << 1, 2, 3, 4, 100, 10;
    options.spreadEpsilon = 0.0;
    const FeatureMatrix hand = normalize(x, {0, 0, 0, 0, 0, 0}, {true, true, true, true, true, false}, options);
    QVERIFY(std::abs(hand(5, 0) - 7.0 / 1.4826) < 1e-5);
    QVERIFY(std::abs(hand(4, 0) - 97.0 / 1.4826) < 1e-4);
  }

  void tvnGivesIdentityCovarianceOnControls() {
    std::mt19937_64 engine(3);
    std::normal_distribution<double> normal(0.0, 1.0);
    const int n = 3000, d = 6;
    Eigen::MatrixXd mixing(d, d);
    for (int i = 0; i < mixing.size(); ++i) mixing.data()[i] = 0.4 * normal(engine);
    // Well-conditioned (eigenvalues well above the 1e-5 floor, which shrinks each variance by
    // L / (L + 1e-5)) but strongly correlated.
    mixing += Eigen::MatrixXd::Identity(d, d);
    FeatureMatrix x(n, d);
    for (int r = 0; r < n; ++r) {
      Eigen::VectorXd z(d);
      for (int j = 0; j < d; ++j) z[j] = normal(engine);
      x.row(r) = (mixing * z).transpose().cast<float>().array() + 5.0f;
    }
    std::vector<int> plate(n);
    std::vector<bool> control(n);
    for (int r = 0; r < n; ++r) {
      plate[r] = r % 3;
      control[r] = r % 2 == 0;
    }
    NormalizationOptions options;
    options.method = NormalizationMethod::Tvn;
    const FeatureMatrix out = normalize(x, plate, control, options);
    Eigen::MatrixXd controls(n / 2, d);
    for (int r = 0, k = 0; r < n; r += 2) controls.row(k++) = out.row(r).cast<double>();
    const Eigen::RowVectorXd centre = controls.colwise().mean();
    QVERIFY(centre.cwiseAbs().maxCoeff() < 1e-5);
    const Eigen::MatrixXd centred = controls.rowwise() - centre;
    const Eigen::MatrixXd covariance = centred.transpose() * centred / (controls.rows() - 1);
    QVERIFY2((covariance - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().maxCoeff() < 1e-4,
             qPrintable(QString::number((covariance - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().maxCoeff())));
    options.tvnAfterPlateCentreScale = true;
    const FeatureMatrix afterPlate = normalize(x, plate, control, options);
    QVERIFY(afterPlate.allFinite());
  }

  void noneIsACopy() {
    const PlateData data = shiftedPlates(5, 2, 2, 4);
    NormalizationOptions options;
    options.method = NormalizationMethod::None;
    QVERIFY(normalize(data.x, data.plate, data.control, options) == data.x);
  }

  void constantControlFeatureStaysFinite() {
    FeatureMatrix x(4, 2);
    x << 1, 5, 2, 5, 3, 5, 4, 6;
    const FeatureMatrix out = normalize(x, {0, 0, 0, 0}, {true, true, true, false});
    QVERIFY(out.allFinite());
    QCOMPARE(out(0, 1), 0.0f);
  }

  void platesWithoutEnoughControlsAreNamed() {
    const PlateData data = shiftedPlates(8, 3, 2, 5);
    std::vector<bool> control = data.control;
    for (int i = 9; i < 16; ++i) control[i] = false;  // plate 11 keeps one control row
    try {
      normalize(data.x, data.plate, control);
      QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& error) {
      const QString message = error.what();
      QVERIFY2(message.contains("plate 11") && message.contains("1 control row"), error.what());
    }
    NormalizationOptions robust;
    robust.method = NormalizationMethod::PlateRobust;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, normalize(data.x, data.plate, control, robust));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, normalize(data.x, std::vector<int>(3, 0), data.control));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseNormalizationMethod("zscore"));
    QCOMPARE(parseNormalizationMethod("tvn"), NormalizationMethod::Tvn);
    QCOMPARE(normalizationMethodName(NormalizationMethod::PlateRobust), std::string("robust"));
  }
};

QTEST_APPLESS_MAIN(TestNormalization)
#include "test_normalization.moc"
