// E2 / C2 projection: class medians land exactly on +1 and -1, the off axis is the residual's
// first principal component, orthogonal to the normal and zero-centred on its fit rows.
#include <QtTest>

#include <Eigen/QR>
#include <random>

#include "core/analysis/projection.h"
#include "core/analysis/statistics.h"

using namespace gandl::analysis;

namespace {

// Rows in a rotated frame: coordinate 0 along the SVM normal, coordinate 1 the controls' largest
// residual spread, coordinate 2 the compounds' largest spread.
struct Scene {
  FeatureMatrix x;
  std::vector<int> classOfRow;
  Eigen::MatrixXd rotation;
};

Scene scene(int d, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd random(d, d);
  for (int i = 0; i < random.size(); ++i) random.data()[i] = normal(engine);
  Scene s;
  s.rotation = Eigen::HouseholderQR<Eigen::MatrixXd>(random).householderQ();
  const int n = 301;
  s.x.resize(n, d);
  for (int r = 0; r < n; ++r) {
    const int label = r < 100 ? 1 : r < 200 ? -1 : 0;
    Eigen::VectorXd local(d);
    for (int j = 0; j < d; ++j) local[j] = 0.2 * normal(engine);
    local[0] += label == 1 ? 2.0 + 0.5 * normal(engine) : label == -1 ? -1.0 + 0.5 * normal(engine) : 0.0;
    local[1] += label != 0 ? 3.0 * normal(engine) : 0.0;
    local[2] += label == 0 ? 10.0 * normal(engine) : 0.0;
    s.x.row(r) = (s.rotation * local).transpose().cast<float>();
    s.classOfRow.push_back(label);
  }
  return s;
}

std::vector<double> valuesOfClass(const Eigen::VectorXd& values, const std::vector<int>& classes, int label) {
  std::vector<double> selected;
  for (std::size_t r = 0; r < classes.size(); ++r)
    if (classes[r] == label) selected.push_back(values[static_cast<Eigen::Index>(r)]);
  return selected;
}

}  // namespace

class TestProjection : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void principalAxesOfAKnownCloud() {
    // Spread 3 along (1, 1, 0) / sqrt 2, 1 along (0, 0, 1), 0.1 along (1, -1, 0) / sqrt 2.
    std::mt19937 random(5);
    std::normal_distribution<float> normal;
    FeatureMatrix x(2000, 3);
    const Eigen::Vector3f a(0.70710678f, 0.70710678f, 0.f), b(0.f, 0.f, 1.f), c(0.70710678f, -0.70710678f, 0.f);
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      x.row(r) = (3.f * normal(random) * a + 1.f * normal(random) * b + 0.1f * normal(random) * c +
                  Eigen::Vector3f(5.f, -2.f, 1.f))
                     .transpose();
    const auto axes = fitPrincipalAxes(x);
    QVERIFY(std::abs(axes.onAxis.dot(a.cast<double>())) > 0.999);
    QVERIFY(std::abs(axes.offAxis.dot(b.cast<double>())) > 0.999);
    QVERIFY(axes.onAxis.maxCoeff() > 0 && axes.offAxis.maxCoeff() > 0);  // largest loading positive
    QVERIFY(std::abs(axes.offExplainedVariance - 1.0 / (9.0 + 1.0 + 0.01)) < 0.02);
    const auto scores = project(axes, x);
    QVERIFY(std::abs(scores.on.mean()) < 1e-3 && std::abs(scores.off.mean()) < 1e-3);  // centred
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitPrincipalAxes(FeatureMatrix(1, 3)));
  }

  void mediansLandOnPlusAndMinusOne() {
    const Scene s = scene(6, 31);
    const Eigen::VectorXd w = 3.7 * s.rotation.col(0);
    const ProjectionAxes axes = fitProjection(s.x, w, 0.8, s.classOfRow);
    const ProjectedScores scores = project(axes, s.x);
    QVERIFY(std::abs(median(valuesOfClass(scores.on, s.classOfRow, 1)) - 1.0) < 1e-12);
    QVERIFY(std::abs(median(valuesOfClass(scores.on, s.classOfRow, -1)) + 1.0) < 1e-12);
    QVERIFY(std::abs(axes.onAxis.norm() - 1.0) < 1e-14);
    QVERIFY(std::abs(axes.onOffset - 0.8 / 3.7) < 1e-14);
    // The on score is affine in the signed distance to the hyperplane.
    const Eigen::VectorXd distance = (s.x.cast<double>() * axes.onAxis).array() + axes.onOffset;
    QVERIFY((scores.on - (axes.onScale * distance.array() + axes.onShift).matrix()).cwiseAbs().maxCoeff() < 1e-12);
  }

  void offAxisIsTheResidualComponentOfTheControls() {
    const Scene s = scene(6, 32);
    const ProjectionAxes axes = fitProjection(s.x, s.rotation.col(0), 0.0, s.classOfRow);
    QVERIFY(std::abs(axes.offAxis.dot(axes.onAxis)) < 1e-12);
    QVERIFY(std::abs(axes.offAxis.norm() - 1.0) < 1e-12);
    QVERIFY(std::abs(axes.offAxis.dot(s.rotation.col(1))) > 0.999);
    QVERIFY(axes.offExplainedVariance > 0.9);
    const ProjectedScores scores = project(axes, s.x);
    double controlSum = 0.0;
    for (int r = 0; r < 200; ++r) controlSum += scores.off[r];
    QVERIFY(std::abs(controlSum / 200.0) < 1e-9);

    // Fitted on every row, the compounds' larger spread takes the axis (the paper's figures).
    const ProjectionAxes paper = fitProjection(s.x, s.rotation.col(0), 0.0, s.classOfRow, OffAxisFit::AllRows);
    QVERIFY(std::abs(paper.offAxis.dot(s.rotation.col(2))) > 0.999);
    QVERIFY(std::abs(project(paper, s.x).off.mean()) < 1e-9);
  }

  void offAxisOfAKnownResidual() {
    // d = 3, u = e1: residuals only along e2 (controls) -> v = e2 exactly (sign fixed positive).
    FeatureMatrix x(4, 3);
    x << 2, 1, 0,  //
        3, -1, 0,  //
        -1, 2, 0,  //
        -2, -2, 0;
    const ProjectionAxes axes = fitProjection(x, Eigen::Vector3d(1, 0, 0), -0.5, {1, 1, -1, -1});
    QVERIFY((axes.offAxis - Eigen::Vector3d(0, 1, 0)).norm() < 1e-12);
    const ProjectedScores scores = project(axes, x);
    // on: distance x1 - 0.5; medians 2.0 (C+) and -2.0 (C-) -> scale 0.5, shift 0.
    QVERIFY((scores.on - Eigen::Vector4d(0.75, 1.25, -0.75, -1.25)).norm() < 1e-12);
    QVERIFY((scores.off - Eigen::Vector4d(1, -1, 2, -2)).norm() < 1e-12);
  }

  void degenerateInputsAreErrors() {
    const Scene s = scene(4, 33);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitProjection(s.x, Eigen::VectorXd::Zero(4), 0.0, s.classOfRow));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             fitProjection(s.x, s.rotation.col(0), 0.0, std::vector<int>(s.x.rows(), 1)));
    FeatureMatrix same(2, 2);
    same << 1, 0, 1, 5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitProjection(same, Eigen::Vector2d(1, 0), 0.0, {1, -1}));
  }
};

QTEST_APPLESS_MAIN(TestProjection)
#include "test_projection.moc"
