// The task contract's controls, without Qt widgets: pause blocks a task at its next check and
// cancel ends a pause; the ETA counts only the current phase's progress.
#include <QtTest>
#include <chrono>
#include <thread>

#include "core/tasks/eta.h"
#include "core/tasks/progress.h"

using namespace gandl::tasks;
using namespace std::chrono_literals;

class TestTaskControl : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pauseHoldsTheTaskUntilResume() {
    CancelToken token;
    const TaskContext context({}, &token);
    token.pause();
    std::atomic<bool> passed{false};
    std::thread task([&] {
      context.checkCancelled();
      passed = true;
    });
    std::this_thread::sleep_for(100ms);
    QVERIFY(!passed);
    token.resume();
    task.join();
    QVERIFY(passed);
    QVERIFY(token.pausedSeconds() >= 0.09);
    QVERIFY(!token.isPaused());
  }

  void cancelEndsAPause() {
    CancelToken token;
    token.pause();
    const TaskContext context({}, &token);
    std::thread canceller([&] {
      std::this_thread::sleep_for(50ms);
      token.cancel();
    });
    QVERIFY_THROWS_EXCEPTION(Cancelled, context.checkCancelled());
    canceller.join();
    QVERIFY(token.pausedSeconds() >= 0.04);
  }

  void etaCountsOnlyThisPhase() {
    EtaEstimator eta;
    const auto t0 = EtaEstimator::Clock::now();
    // A screen being read, then training resumed at step 1500 of 4000.
    QVERIFY(eta.update({0, 768, "sites", ""}, t0) < 0);
    QCOMPARE(eta.update({768, 768, "sites", ""}, t0 + 1s), 0.0);
    QVERIFY(eta.update({1500, 4000, "steps", ""}, t0 + 1s) < 0);
    // 10 steps in 10 s: 2490 left at 1 step/s.
    QCOMPARE(eta.update({1510, 4000, "steps", ""}, t0 + 11s), 2490.0);
    // A total that changes starts a new phase; so does progress going backwards.
    QVERIFY(eta.update({1510, 5000, "steps", ""}, t0 + 12s) < 0);
    QVERIFY(eta.update({5, 5000, "steps", ""}, t0 + 13s) < 0);
    QCOMPARE(eta.update({10, 5000, "steps", ""}, t0 + 18s), 4990.0);
    QVERIFY(eta.update({0, 0, "sites", ""}, t0 + 19s) < 0);  // no total: unknown
  }
};

QTEST_APPLESS_MAIN(TestTaskControl)
#include "test_task_control.moc"
