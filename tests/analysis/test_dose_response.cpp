// Per-compound dose-response: summaries, the status rules (fitted, ambiguous, inactive,
// cytotoxic, insufficient), NaN handling, degenerate inputs, ranks, and thread independence.
#include <QtTest>

#include <random>

#include "core/analysis/dose_response.h"

using namespace gandl::analysis;

namespace {

const double kDoses[6] = {0.0316, 0.1, 0.316, 1.0, 3.16, 10.0};  // uM, half-log

CompoundInput compound(const std::string& name, double logEc50, double hill, double noise, std::uint64_t seed,
                       int perDose = 6) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal(0.0, noise);
  CompoundInput input;
  input.name = name;
  for (double dose : kDoses)
    for (int i = 0; i < perDose; ++i)
      input.points.push_back(
          {dose, fourParameterLogistic(std::log10(dose), -1.0, 1.0, logEc50, hill) + normal(engine)});
  return input;
}

// No dose trend: the curve's EC50 lies far above the doses (Y = -1), shifted to `level`.
CompoundInput flat(const std::string& name, double level, double noise, std::uint64_t seed) {
  CompoundInput input = compound(name, 10.0, 5.0, noise, seed);
  for (DosePoint& point : input.points) point.score += level + 1.0;
  return input;
}

}  // namespace

class TestDoseResponse : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void summariesPerDose() {
    CompoundInput input;
    input.name = "hand";
    input.points = {{1.0, 0.1}, {1.0, 0.3}, {1.0, 0.8}, {10.0, -1.0}, {10.0, 1.0}, {0.1, 0.5}};
    const CompoundResponse response = analyzeCompound(input);
    QCOMPARE(response.doses.size(), std::size_t(3));
    const DoseSummary& one = response.doses[1];
    QCOMPARE(one.concentrationMicromolar, 1.0);
    QCOMPARE(one.count, 3);
    QVERIFY(std::abs(one.mean - 0.4) < 1e-15);
    QCOMPARE(one.median, 0.3);
    // sd of {0.1, 0.3, 0.8}: sqrt(((-0.3)^2 + 0.1^2 + 0.4^2) / 2) = sqrt(0.13)
    QVERIFY(std::abs(one.sem - std::sqrt(0.13) / std::sqrt(3.0)) < 1e-15);
    QVERIFY(std::isnan(response.doses[0].sem));
    QCOMPARE(response.doses[2].median, 0.0);
  }

  void activeCurveIsFittedNearTheTruth() {
    const CompoundResponse response = analyzeCompound(compound("active", -0.5, 1.2, 0.3, 1));
    QCOMPARE(response.status, DoseResponseStatus::Fitted);
    QVERIFY(response.hasFit);
    QVERIFY2(std::abs(std::log10(response.ec50Micromolar) + 0.5) < 0.25,
             qPrintable(QString::number(response.ec50Micromolar)));
    QVERIFY(response.ec50LowerMicromolar < response.ec50Micromolar &&
            response.ec50Micromolar < response.ec50UpperMicromolar);
    QVERIFY(response.fTestPValue < 1e-6);
    QVERIFY(response.maxEfficacy > 0.8);
    QCOMPARE(doseResponseStatusName(response.status), std::string("fitted"));
  }

  void flatResponsesAreInactive() {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const CompoundResponse response = analyzeCompound(flat("flat", -1.0, 0.3, 100 + seed));
      QVERIFY2(response.status == DoseResponseStatus::Inactive,
               qPrintable(QString("seed %1: %2").arg(seed).arg(QString::fromStdString(response.note))));
    }
  }

  void curveBeyondTheTestedRangeIsAmbiguous() {
    const CompoundResponse response = analyzeCompound(compound("late", 1.1, 1.5, 0.2, 2));
    QCOMPARE(response.status, DoseResponseStatus::Ambiguous);
    QVERIFY(!response.note.empty());
  }

  void toxicityDecidesWhenItComesBeforeTheEffect() {
    CompoundInput input = compound("toxic", -0.5, 1.2, 0.3, 3);
    input.toxicity = {{0.1, 4.0, 1.0}};  // off-axis shift of 4 sd below the EC50
    QCOMPARE(analyzeCompound(input).status, DoseResponseStatus::Cytotoxic);
    input.toxicity = {{10.0, std::nan(""), 0.3}};  // viability drop only at the top dose
    const CompoundResponse window = analyzeCompound(input);
    QCOMPARE(window.status, DoseResponseStatus::Fitted);
    QCOMPARE(window.toxicConcentrations, std::vector<double>{10.0});
    CompoundInput inactive = flat("dead", -1.0, 0.3, 4);
    inactive.toxicity = {{3.16, 0.5, 0.2}};
    QCOMPARE(analyzeCompound(inactive).status, DoseResponseStatus::Cytotoxic);
    inactive.toxicity = {{5.0, 9.0, 1.0}};  // not a tested dose
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, analyzeCompound(inactive));
  }

  void tooFewDosesAreInsufficient() {
    CompoundInput single;
    single.name = "single";
    for (int i = 0; i < 6; ++i) single.points.push_back({1.0, 0.1 * i});
    const CompoundResponse one = analyzeCompound(single);
    QCOMPARE(one.status, DoseResponseStatus::Insufficient);
    QVERIFY(!one.hasFit);
    QVERIFY(QString::fromStdString(one.note).contains("1 dose"));
    single.points.push_back({3.0, 0.5});
    QCOMPARE(analyzeCompound(single).status, DoseResponseStatus::Insufficient);
    QCOMPARE(analyzeCompound(CompoundInput{"empty", {}, {}}).status, DoseResponseStatus::Insufficient);
  }

  void nanPointsAreDroppedAndCounted() {
    const CompoundInput clean = compound("nan", -0.5, 1.2, 0.3, 5);
    CompoundInput dirty = clean;
    dirty.points.push_back({1.0, std::nan("")});
    dirty.points.push_back({std::nan(""), 0.2});
    dirty.points.insert(dirty.points.begin(), {0.1, std::numeric_limits<double>::infinity()});
    const CompoundResponse a = analyzeCompound(clean);
    const CompoundResponse b = analyzeCompound(dirty);
    QCOMPARE(b.droppedPoints, 3);
    QCOMPARE(b.pointCount, a.pointCount);
    QCOMPARE(b.fit.logEc50, a.fit.logEc50);
    QCOMPARE(b.status, a.status);
    QVERIFY(b.doses.size() == a.doses.size() && b.doses[3].count == a.doses[3].count);
  }

  void identicalValuesHaveADefinedResult() {
    for (double level : {-1.0, 0.4}) {
      CompoundInput same;
      same.name = "same";
      for (double dose : kDoses)
        for (int i = 0; i < 4; ++i) same.points.push_back({dose, level});
      const CompoundResponse response = analyzeCompound(same);
      QCOMPARE(response.status, DoseResponseStatus::Inactive);
      QCOMPARE(response.fTestPValue, 1.0);
      QVERIFY(!response.hasFit);
      QVERIFY(std::abs(response.maxEfficacy - (level + 1.0) / 2.0) < 1e-15);
      QVERIFY(!response.note.empty());
    }
  }

  void nonPositiveConcentrationIsNamed() {
    CompoundInput input = compound("zero", 0.0, 1.0, 0.1, 6);
    input.points[4].concentrationMicromolar = 0.0;
    try {
      analyzeCompound(input);
      QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& error) {
      QVERIFY2(QString(error.what()).contains("compound 'zero'"), error.what());
    }
  }

  void ranksAndThreadsDoNotChangeResults() {
    std::vector<CompoundInput> inputs;
    inputs.push_back(flat("inactive", -1.0, 0.3, 7));
    inputs.push_back(compound("weak", 0.5, 1.0, 0.3, 8));
    inputs.push_back(compound("potent", -1.0, 1.0, 0.3, 9));
    inputs.push_back(compound("late", 1.1, 1.5, 0.2, 10));
    inputs.push_back(CompoundInput{"single", {{1.0, 0.0}, {1.0, 0.1}}, {}});
    for (int i = 0; i < 20; ++i)
      inputs.push_back(compound("filler" + std::to_string(i), -0.5 + 0.05 * i, 1.0, 0.3, 20 + i));
    const auto one = analyzeCompounds(inputs, {}, 1);
    const auto two = analyzeCompounds(inputs, {}, 2);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      QCOMPARE(one[i].name, inputs[i].name);
      QCOMPARE(one[i].status, two[i].status);
      QCOMPARE(one[i].fit.logEc50, two[i].fit.logEc50);
      QCOMPARE(one[i].fit.logEc50Upper, two[i].fit.logEc50Upper);
      QCOMPARE(one[i].hitRank, two[i].hitRank);
    }
    QCOMPARE(one[2].hitRank, 1);                                // the most potent fitted curve
    QVERIFY(one[1].hitRank < one[3].hitRank);                   // fitted before ambiguous
    QVERIFY(one[3].hitRank < one[0].hitRank);                   // ambiguous before inactive
    QCOMPARE(one[4].hitRank, static_cast<int>(inputs.size()));  // insufficient last
    gandl::tasks::CancelToken token;
    token.cancel();
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled,
                             analyzeCompounds(inputs, {}, 2, gandl::tasks::TaskContext({}, &token)));
  }
};

QTEST_APPLESS_MAIN(TestDoseResponse)
#include "test_dose_response.moc"
