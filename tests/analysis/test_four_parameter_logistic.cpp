// The 4PL fitter against curves of known parameters (as LabPlot checks its fitter on NIST data):
// exact recovery without noise, close recovery with noise, and profile-likelihood intervals that
// cover the true logEC50 at their nominal rate.
#include <QtTest>

#include <random>

#include "core/analysis/four_parameter_logistic.h"

using namespace gandl::analysis;

namespace {

// Six half-log doses from 0.0316 to 10 uM (log10 -1.5 .. 1), `perDose` points each.
struct Curve {
  std::vector<double> x, y;
};

Curve sample(double bottom, double top, double logEc50, double hill, int perDose, double noise,
             std::mt19937_64& engine) {
  std::normal_distribution<double> normal(0.0, noise);
  Curve curve;
  for (int dose = 0; dose < 6; ++dose) {
    const double x = -1.5 + 0.5 * dose;
    for (int i = 0; i < perDose; ++i) {
      curve.x.push_back(x);
      curve.y.push_back(fourParameterLogistic(x, bottom, top, logEc50, hill) + (noise > 0 ? normal(engine) : 0.0));
    }
  }
  return curve;
}

}  // namespace

class TestFourParameterLogistic : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void curveMatchesItsDefinition() {
    // Y = Bottom + (Top - Bottom) / (1 + 10^((logEC50 - X) * Hill))
    const double expected = -1.0 + 2.0 / (1.0 + std::pow(10.0, (0.3 - (-0.2)) * 1.7));
    QVERIFY(std::abs(fourParameterLogistic(-0.2, -1.0, 1.0, 0.3, 1.7) - expected) < 1e-15);
    QCOMPARE(fourParameterLogistic(0.3, -1.0, 1.0, 0.3, 1.7), 0.0);
    QVERIFY(std::isfinite(fourParameterLogistic(-500.0, -1.0, 1.0, 300.0, 5.0)));
  }

  void recoversExactCurves() {
    std::mt19937_64 engine(0);
    const Curve anchored = sample(-1.0, 1.0, -0.4, 1.3, 2, 0.0, engine);
    const FourParameterLogisticFit a = fitFourParameterLogistic(anchored.x, anchored.y);
    QVERIFY2(std::abs(a.logEc50 + 0.4) < 1e-6 && std::abs(a.hill - 1.3) < 1e-6,
             qPrintable(QString("%1 %2").arg(a.logEc50).arg(a.hill)));
    QCOMPARE(a.parameterCount, 2);
    QVERIFY(a.converged);
    QVERIFY(a.rSquared > 1.0 - 1e-10);

    FourParameterLogisticOptions free;
    free.plateaus = Plateaus::Free;
    const Curve partial = sample(-0.8, 0.6, 0.1, 2.2, 2, 0.0, engine);
    const FourParameterLogisticFit f = fitFourParameterLogistic(partial.x, partial.y, free);
    QVERIFY2(std::abs(f.bottom + 0.8) < 1e-5 && std::abs(f.top - 0.6) < 1e-5 && std::abs(f.logEc50 - 0.1) < 1e-5 &&
                 std::abs(f.hill - 2.2) < 1e-4,
             qPrintable(QString("%1 %2 %3 %4").arg(f.bottom).arg(f.top).arg(f.logEc50).arg(f.hill)));
    QCOMPARE(f.parameterCount, 4);
  }

  void recoversNoisyCurves() {
    std::mt19937_64 engine(1);
    const Curve curve = sample(-1.0, 1.0, -0.25, 1.0, 12, 0.3, engine);
    const FourParameterLogisticFit fit = fitFourParameterLogistic(curve.x, curve.y);
    QVERIFY2(std::abs(fit.logEc50 + 0.25) < 0.15, qPrintable(QString::number(fit.logEc50)));
    QVERIFY2(std::abs(fit.hill - 1.0) < 0.4, qPrintable(QString::number(fit.hill)));
    QVERIFY(fit.logEc50Lower < fit.logEc50 && fit.logEc50 < fit.logEc50Upper);
    QVERIFY(fit.logEc50Upper - fit.logEc50Lower < 1.0);
    QCOMPARE(fit.pointCount, 72);
  }

  void profileIntervalsCoverAtTheirNominalRate() {
    // 300 seeded experiments: 6 half-log doses, 3 wells x 2 sites, noise sd 0.3 (like real
    // On-axis scores), true logEC50 inside the tested range, Hill between 0.7 and 2.
    std::mt19937_64 engine(2024);
    std::uniform_real_distribution<double> logEc50s(-1.0, 0.5), hills(0.7, 2.0);
    const int trials = 300;
    int covered = 0, bounded = 0;
    for (int t = 0; t < trials; ++t) {
      const double logEc50 = logEc50s(engine);
      const double hill = hills(engine);
      const Curve curve = sample(-1.0, 1.0, logEc50, hill, 6, 0.3, engine);
      const FourParameterLogisticFit fit = fitFourParameterLogistic(curve.x, curve.y);
      covered += fit.logEc50Lower <= logEc50 && logEc50 <= fit.logEc50Upper;
      bounded += std::isfinite(fit.logEc50Lower) && std::isfinite(fit.logEc50Upper);
    }
    const double coverage = static_cast<double>(covered) / trials;
    qInfo("coverage %.3f over %d trials, %d intervals bounded", coverage, trials, bounded);
    QVERIFY2(coverage >= 0.90 && coverage <= 0.98, qPrintable(QString::number(coverage)));
    QVERIFY(bounded > trials * 9 / 10);
  }

  void unboundedIntervalsAreInfinite() {
    // A curve whose rise starts at the top dose: the upper end cannot be pinned.
    std::mt19937_64 engine(3);
    const Curve late = sample(-1.0, 1.0, 1.8, 1.0, 6, 0.3, engine);
    const FourParameterLogisticFit fit = fitFourParameterLogistic(late.x, late.y);
    QVERIFY(std::isinf(fit.logEc50Upper) && fit.logEc50Upper > 0);
    QVERIFY(fit.logEc50 <= fit.testedLogMax + 2.0 + 1e-9);
  }

  void rejectsWhatCannotBeFitted() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitFourParameterLogistic({0, 0, 1, 1}, {-1, -1, 1, 1}));  // 2 doses
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitFourParameterLogistic({0, 1, std::nan("")}, {-1, 0, 1}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitFourParameterLogistic({0, 1}, {-1}));
    FourParameterLogisticOptions free;
    free.plateaus = Plateaus::Free;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             fitFourParameterLogistic({0, 1, 2, 3}, {-1, 0, 1, 1}, free));  // 4 points
  }
};

QTEST_APPLESS_MAIN(TestFourParameterLogistic)
#include "test_four_parameter_logistic.moc"
