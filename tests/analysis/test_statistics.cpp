// Sample statistics and the F distribution against closed forms and table values.
#include <QtTest>

#include <cmath>

#include "core/analysis/statistics.h"

using namespace gandl::analysis;

class TestStatistics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void locationAndSpread() {
    QCOMPARE(mean({1.0, 2.0, 6.0}), 3.0);
    QCOMPARE(median({5.0, 1.0, 3.0}), 3.0);
    QCOMPARE(median({4.0, 1.0, 3.0, 2.0}), 2.5);
    QVERIFY(std::isnan(median({})));
    QVERIFY(std::isnan(sampleStandardDeviation({2.0})));
    // sd of {2, 4, 4, 4, 5, 5, 7, 9}: sum of squares 32, n - 1 = 7.
    QVERIFY(std::abs(sampleStandardDeviation({2, 4, 4, 4, 5, 5, 7, 9}) - std::sqrt(32.0 / 7.0)) < 1e-14);
    // |x - 3| of {1, 2, 3, 4, 100} = {2, 1, 0, 1, 97}: median 1.
    QCOMPARE(medianAbsoluteDeviation({1, 2, 3, 4, 100}), 1.0);
  }

  void incompleteBetaClosedForms() {
    for (double x : {0.0, 0.1, 0.37, 0.5, 0.93, 1.0}) {
      QVERIFY(std::abs(regularizedIncompleteBeta(1.0, 1.0, x) - x) < 1e-13);
      QVERIFY(std::abs(regularizedIncompleteBeta(3.0, 1.0, x) - std::pow(x, 3.0)) < 1e-13);
      QVERIFY(std::abs(regularizedIncompleteBeta(1.0, 4.5, x) - (1.0 - std::pow(1.0 - x, 4.5))) < 1e-13);
      // I_x(a, b) = 1 - I_{1-x}(b, a)
      QVERIFY(std::abs(regularizedIncompleteBeta(2.5, 7.0, x) + regularizedIncompleteBeta(7.0, 2.5, 1.0 - x) - 1.0) <
              1e-13);
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, regularizedIncompleteBeta(0.0, 1.0, 0.5));
  }

  void fQuantilesMatchClosedForms() {
    // F(2, d): P(F <= x) = 1 - (1 + 2x/d)^(-d/2), so the 0.95 quantile is d/2 (0.05^(-2/d) - 1).
    for (double d : {4.0, 10.0, 34.0}) {
      const double exact = d / 2.0 * (std::pow(0.05, -2.0 / d) - 1.0);
      QVERIFY2(std::abs(fDistributionQuantile(0.95, 2.0, d) - exact) < 1e-9 * exact, qPrintable(QString::number(d)));
    }
    // F(1, d) = t(d)^2; t(1) is Cauchy: t_0.975 = tan(0.475 pi); t(2): t_p = (2p - 1) sqrt(2 / (4p(1-p))).
    const double t1 = std::tan(0.475 * M_PI);
    QVERIFY(std::abs(fDistributionQuantile(0.95, 1.0, 1.0) - t1 * t1) < 1e-7 * t1 * t1);
    const double t2 = 0.95 * std::sqrt(2.0 / (4.0 * 0.975 * 0.025));
    QVERIFY(std::abs(fDistributionQuantile(0.95, 1.0, 2.0) - t2 * t2) < 1e-9 * t2 * t2);
  }

  void fQuantilesMatchTables() {
    // Printed tables (upper 5% and 1% points), three to four significant digits.
    QVERIFY(std::abs(fDistributionQuantile(0.95, 1.0, 10.0) - 4.965) < 1e-3);
    QVERIFY(std::abs(fDistributionQuantile(0.95, 4.0, 20.0) - 2.866) < 1e-3);
    QVERIFY(std::abs(fDistributionQuantile(0.99, 3.0, 12.0) - 5.953) < 1e-3);
    QVERIFY(std::abs(fDistributionQuantile(0.95, 1.0, 30.0) - 2.042272 * 2.042272) < 1e-4);
    QVERIFY(std::abs(fDistributionCdf(fDistributionQuantile(0.9, 5.0, 7.0), 5.0, 7.0) - 0.9) < 1e-12);
    QCOMPARE(fDistributionCdf(0.0, 3.0, 4.0), 0.0);
  }
};

QTEST_APPLESS_MAIN(TestStatistics)
#include "test_statistics.moc"
