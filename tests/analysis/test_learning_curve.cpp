// The learning-curve trend of `gandl probe` against hand-computed least squares.
#include <QtTest>

#include <cmath>
#include <stdexcept>

#include "core/analysis/learning_curve.h"

using namespace gandl::analysis;

class TestLearningCurve : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void anExactLineIsRecoveredAndExtrapolated() {
    // 0.5 + 0.1 per 100 kimg; the point at 0 kimg (the first rise) is left out by from_kimg.
    const auto t = fitLearningCurveTrend({0, 50, 100, 150, 200}, {0.0, 0.55, 0.6, 0.65, 0.7}, 25, 0.9);
    QCOMPARE(t.points, 4);
    QCOMPARE(t.from_kimg, 50.0);
    QCOMPARE(t.to_kimg, 200.0);
    QVERIFY(std::abs(t.slope_per_100kimg - 0.1) < 1e-12);
    QVERIFY(t.slope_se < 1e-9);
    QVERIFY(std::abs(t.fitted_last - 0.7) < 1e-12);
    QVERIFY(std::abs(t.kimg_to_target - 400.0) < 1e-6);  // 0.2 more at 0.1 per 100 kimg
  }

  void aNoisyCurveUsesTheUpperEndOfTheSlopesInterval() {
    // x = 0..3 (x 100 kimg), y = .60 .64 .60 .64: slope 0.008, rss 1.28e-3, se sqrt(1.28e-3 / 2 / 5),
    // t(0.975, 2) = 4.302653; the line at 300 kimg is 0.632.
    const auto t = fitLearningCurveTrend({0, 100, 200, 300}, {0.60, 0.64, 0.60, 0.64}, 0, 0.9);
    QVERIFY(std::abs(t.slope_per_100kimg - 0.008) < 1e-12);
    QVERIFY(std::abs(t.slope_se - std::sqrt(1.28e-4)) < 1e-12);
    const double upper = 0.008 + 4.302653 * std::sqrt(1.28e-4);
    QVERIFY(std::abs(t.slope_upper - upper) < 1e-6);
    QVERIFY(std::abs(t.mean - 0.62) < 1e-12);
    QVERIFY(std::abs(t.fitted_last - 0.632) < 1e-12);
    QVERIFY(std::abs(t.kimg_to_target - (300 + 100 * 0.268 / upper)) < 1e-3);
  }

  void aFallingCurveNeverReachesTheTargetAndOneAboveItIsThere() {
    const auto falling = fitLearningCurveTrend({10, 20, 30, 40}, {0.70, 0.69, 0.68, 0.67}, 0, 0.9);
    QVERIFY(falling.slope_per_100kimg < 0);
    QVERIFY(std::isinf(falling.kimg_to_target));
    const auto above = fitLearningCurveTrend({10, 20, 30}, {0.91, 0.93, 0.92}, 0, 0.9);
    QCOMPARE(above.kimg_to_target, 30.0);
  }

  void tooFewPointsGiveNoFitAndBadInputIsRefused() {
    const auto two = fitLearningCurveTrend({10, 20, 30}, {0.6, 0.7, 0.8}, 15, 0.9);
    QCOMPARE(two.points, 2);
    QVERIFY(std::isnan(two.slope_per_100kimg) && std::isnan(two.kimg_to_target));
    QVERIFY(std::abs(two.mean - 0.75) < 1e-12);
    const auto oneKimg = fitLearningCurveTrend({8, 8, 8}, {0.6, 0.7, 0.8}, 0, 0.9);
    QVERIFY(std::isnan(oneKimg.slope_per_100kimg));
    const auto none = fitLearningCurveTrend({}, {}, 0, 0.9);
    QCOMPARE(none.points, 0);
    QVERIFY(std::isnan(none.mean));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitLearningCurveTrend({1, 2}, {0.5}, 0, 0.9));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitLearningCurveTrend({1, NAN}, {0.5, 0.6}, 0, 0.9));
  }
};

QTEST_APPLESS_MAIN(TestLearningCurve)
#include "test_learning_curve.moc"
