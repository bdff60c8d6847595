// Linear SVMs through both backends: separable data classified perfectly with w along the true
// normal, one-vs-rest for several classes, class weights on imbalanced data, determinism.
#include <QtTest>

#include <random>

#include "core/analysis/linear_svm.h"
#include "core/analysis/metrics.h"

using namespace gandl::analysis;

namespace {

struct Labelled {
  FeatureMatrix x;
  std::vector<int> y;
};

Eigen::VectorXd randomUnit(int d, std::mt19937_64& engine) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd u(d);
  for (int j = 0; j < d; ++j) u[j] = normal(engine);
  return u.normalized();
}

// Classes at u . x >= 1 + margin (label +1) and <= -1 - margin (label -1), spread orthogonally to
// u in mirrored pairs (v, -v): reflecting u's complement maps each class onto itself, so the
// unique SVM solution has w parallel to u.
Labelled separable(const Eigen::VectorXd& u, int pairsPerClass, std::mt19937_64& engine) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::exponential_distribution<double> beyond(2.0);
  const int d = static_cast<int>(u.size());
  Labelled data;
  data.x.resize(4 * pairsPerClass, d);
  int row = 0;
  for (int label : {+1, -1})
    for (int i = 0; i < pairsPerClass; ++i) {
      Eigen::VectorXd v(d);
      for (int j = 0; j < d; ++j) v[j] = 2.0 * normal(engine);
      v -= v.dot(u) * u;
      const double along = label * (1.0 + beyond(engine));
      for (double mirror : {+1.0, -1.0}) {
        data.x.row(row++) = (along * u + mirror * v).transpose().cast<float>();
        data.y.push_back(label);
      }
    }
  return data;
}

// Two overlapping Gaussian classes with `positives` rows of +1 among n.
Labelled overlapping(int n, int positives, int d, double separation, std::mt19937_64& engine) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Labelled data;
  data.x.resize(n, d);
  for (int r = 0; r < n; ++r) {
    const int label = r < positives ? 1 : -1;
    for (int j = 0; j < d; ++j)
      data.x(r, j) = static_cast<float>(normal(engine) + (j == 0 ? label * separation / 2 : 0.0));
    data.y.push_back(label);
  }
  return data;
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return a.dot(b) / (a.norm() * b.norm()); }

}  // namespace

class TestLinearSvm : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void separableDataEveryBackend_data() {
    QTest::addColumn<int>("backend");
    QTest::addColumn<bool>("standardize");
    for (bool standardize : {false, true}) {
      const char* suffix = standardize ? " standardized" : "";
      QTest::newRow(qPrintable(QString("libsvm") + suffix)) << int(SvmBackend::Libsvm) << standardize;
      QTest::newRow(qPrintable(QString("liblinear L2") + suffix)) << int(SvmBackend::LiblinearL2Loss) << standardize;
      QTest::newRow(qPrintable(QString("liblinear L1") + suffix)) << int(SvmBackend::LiblinearL1Loss) << standardize;
      QTest::newRow(qPrintable(QString("liblinear primal") + suffix))
          << int(SvmBackend::LiblinearL2LossPrimal) << standardize;
    }
  }
  void separableDataEveryBackend() {
    QFETCH(int, backend);
    QFETCH(bool, standardize);
    std::mt19937_64 engine(11);
    const Eigen::VectorXd u = randomUnit(8, engine);
    const Labelled train = separable(u, 100, engine);
    const Labelled test = separable(u, 100, engine);
    LinearSvmOptions options;
    options.backend = static_cast<SvmBackend>(backend);
    options.standardize = standardize;
    options.tolerance = 1e-5;
    options.c = 10.0;
    LinearSvm svm(options);
    svm.fit(train.x, train.y);
    QCOMPARE(svm.classes(), (std::vector<int>{-1, 1}));
    QCOMPARE(svm.weights().rows(), Eigen::Index(1));
    QCOMPARE(accuracy(train.y, svm.predict(train.x)), 1.0);
    QCOMPARE(accuracy(test.y, svm.predict(test.x)), 1.0);
    const double alignment = cosine(svm.weights().row(0).transpose(), u);
    // Exact symmetry without standardization; per-feature scaling bends the normal a little.
    QVERIFY2(alignment > (standardize ? 0.99 : 0.9999), qPrintable(QString::number(alignment, 'g', 10)));
    // decision = x . w + b in the raw space, whatever the standardization.
    const Eigen::MatrixXd decision = svm.decisionValues(test.x);
    const Eigen::VectorXd manual = (test.x.cast<double>() * svm.weights().row(0).transpose()).array() + svm.biases()[0];
    QVERIFY((decision.col(0) - manual).cwiseAbs().maxCoeff() < 1e-9);
  }

  void oneVsRestForFourClasses() {
    std::mt19937_64 engine(12);
    std::normal_distribution<double> normal(0.0, 1.0);
    const int d = 5;
    FeatureMatrix x(400, d);
    std::vector<int> y;
    for (int r = 0; r < 400; ++r) {
      const int label = r % 4;
      for (int j = 0; j < d; ++j) x(r, j) = static_cast<float>(0.5 * normal(engine) + (j == label ? 6.0 : 0.0));
      y.push_back(label * 10);
    }
    LinearSvm svm;
    svm.fit(x, y);
    QCOMPARE(svm.classes(), (std::vector<int>{0, 10, 20, 30}));
    QCOMPARE(svm.weights().rows(), Eigen::Index(4));
    QCOMPARE(accuracy(y, svm.predict(x)), 1.0);
    for (int k = 0; k < 4; ++k) {  // class k's normal points along its own axis
      Eigen::Index strongest = 0;
      svm.weights().row(k).maxCoeff(&strongest);
      QCOMPARE(strongest, Eigen::Index(k));
    }
  }

  void balancedWeightsHelpTheMinorityClass() {
    std::mt19937_64 engine(13);
    const Labelled train = overlapping(2000, 100, 4, 2.0, engine);
    const Labelled test = overlapping(2000, 100, 4, 2.0, engine);
    for (SvmBackend backend : {SvmBackend::LiblinearL2LossPrimal, SvmBackend::LiblinearL2Loss, SvmBackend::Libsvm}) {
      LinearSvmOptions options;
      options.backend = backend;
      LinearSvm weighted(options);
      weighted.fit(train.x, train.y);
      options.balancedClassWeights = false;
      LinearSvm plain(options);
      plain.fit(train.x, train.y);
      const double withWeights = balancedAccuracy(test.y, weighted.predict(test.x));
      const double without = balancedAccuracy(test.y, plain.predict(test.x));
      QVERIFY2(withWeights > without + 0.05, qPrintable(QString("%1 vs %2").arg(withWeights).arg(without)));
      QVERIFY(withWeights > 0.8);
    }
  }

  void backendsAgreeAndFitsRepeat() {
    std::mt19937_64 engine(14);
    const Labelled data = overlapping(600, 300, 6, 3.0, engine);
    LinearSvmOptions options;
    options.backend = SvmBackend::LiblinearL1Loss;
    options.tolerance = 1e-4;
    LinearSvm linear(options);
    QCOMPARE(LinearSvmOptions{}.backend, SvmBackend::LiblinearL2LossPrimal);
    linear.fit(data.x, data.y);
    LinearSvm again(options);
    again.fit(data.x, data.y);
    QVERIFY(linear.weights() == again.weights());
    options.backend = SvmBackend::Libsvm;
    LinearSvm smo(options);
    smo.fit(data.x, data.y);
    QVERIFY(cosine(linear.weights().row(0).transpose(), smo.weights().row(0).transpose()) > 0.995);
  }

  void pathMatchesSingleFits() {
    std::mt19937_64 engine(16);
    const Labelled data = overlapping(800, 200, 5, 2.0, engine);
    std::vector<Eigen::Index> rows;
    for (Eigen::Index r = 0; r < data.x.rows(); ++r) rows.push_back(r);
    const std::vector<double> cValues = {10.0, 0.01, 1.0};
    LinearSvmOptions options;
    options.tolerance = 1e-6;
    const std::vector<LinearSvm> path = LinearSvm::fitPath(data.x, data.y, rows, cValues, options);
    QCOMPARE(path.size(), std::size_t(3));
    for (std::size_t k = 0; k < cValues.size(); ++k) {
      options.c = cValues[k];
      LinearSvm single(options);
      single.fit(data.x, data.y);
      QCOMPARE(path[k].options().c, cValues[k]);
      QVERIFY((path[k].weights() - single.weights()).cwiseAbs().maxCoeff() <
              1e-4 * single.weights().cwiseAbs().maxCoeff());
    }
  }

  void fitsOnSelectedRowsAndRejectsBadInput() {
    std::mt19937_64 engine(15);
    const Labelled data = overlapping(200, 100, 3, 4.0, engine);
    std::vector<Eigen::Index> rows;
    for (Eigen::Index r = 0; r < 200; r += 2) rows.push_back(r);
    LinearSvm svm;
    svm.fit(data.x, data.y, rows);
    QVERIFY(svm.isFitted());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, svm.fit(data.x, std::vector<int>(200, 1)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, svm.fit(data.x, std::vector<int>(5, 1)));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, LinearSvm().predict(data.x));
    gandl::tasks::CancelToken token;
    token.cancel();
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled, svm.fit(data.x, data.y, gandl::tasks::TaskContext({}, &token)));
  }
};

QTEST_APPLESS_MAIN(TestLinearSvm)
#include "test_linear_svm.moc"
