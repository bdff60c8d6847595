// Core tasks on worker threads: Cancel stops an embedding before it ends and the store resumes
// from its .partial; the GUI thread serves its event loop while a task runs (a watchdog timer
// ticks; the longest gap and the cancel latency are printed, not asserted); training starts, pauses in process, resumes
// with the next step and stops with a checkpoint, all from the panel's buttons.
#include <QComboBox>
#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/model/run_directory.h"
#include "core/model/training_config.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"
#include "core/tasks/progress.h"
#include "tests/ui/ui_fixture.h"
#include <QPushButton>
#include <QTableWidget>

#include "ui/panels/activity_panel.h"
#include "ui/panels/generated_images_panel.h"
#include "ui/panels/training_panel.h"
#include "ui/plots/qcustomplot.h"
#include "ui/task_manager.h"

namespace fs = std::filesystem;
using namespace gandl;

namespace {
// Ticks of a 10 ms timer on the GUI thread: how many came while a background task was running
// (the GUI thread kept serving its event loop: the behaviour under test) and the longest
// interval between two (printed, not asserted: timing belongs to benchmarks).
class StallWatchdog : public QObject {
 public:
  StallWatchdog() {
    clock_.start();
    timer_.setInterval(10);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      const qint64 now = clock_.elapsed();
      if (last_ >= 0) worst_ = std::max(worst_, now - last_);
      last_ = now;
      if (task_ && task_->state() == ui::BackgroundTask::State::Running) ++ticksWhileRunning_;
    });
    timer_.start();
  }
  void watch(ui::BackgroundTask* task) { task_ = task; }
  qint64 worstMs() const { return worst_; }
  int ticksWhileRunning() const { return ticksWhileRunning_; }

 private:
  QElapsedTimer clock_;
  QTimer timer_;
  qint64 last_ = -1, worst_ = 0;
  QPointer<ui::BackgroundTask> task_;
  int ticksWhileRunning_ = 0;
};
}  // namespace

class TestBackgroundTasks : public QObject {
  Q_OBJECT
  test::UiFixture fixture_;

 private Q_SLOTS:
  void initTestCase() { fixture_.build(false); }

  void cancelStopsEmbeddingWithinASecondAndTheStoreResumes() {
    ui::TaskManager tasks;
    ui::ActivityPanel activity(&tasks);
    const fs::path out = fs::path(fixture_.dir.path().toStdString()) / "cancelled.h5ad";
    auto options = fixture_.embedOptions(out);
    options.batch = 2;  // small batches: the tiny network would otherwise finish before the cancel
    StallWatchdog watchdog;
    auto* task = tasks.start(QStringLiteral("embed"),
                             [options](const tasks::TaskContext& c) { pipeline::runEmbedding(options, c); });
    watchdog.watch(task);
    QSignalSpy cancelled(task, &ui::BackgroundTask::cancelled);
    QSignalSpy ended(task, &ui::BackgroundTask::ended);
    QSignalSpy progress(task, &ui::BackgroundTask::progress);
    // Cancel with the activity panel's button once the first plate is stored, so
    // the resume has something to skip.
    QElapsedTimer clock;
    connect(task, &ui::BackgroundTask::progress, this, [&](qint64, qint64, const QString&, const QString& message) {
      if (message.startsWith(QLatin1String("stored")) && !clock.isValid()) {
        clock.start();
        auto* button = activity.findChild<QPushButton*>(QStringLiteral("cancel_0"));
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
      }
    });
    QVERIFY(ended.wait(120000));
    QVERIFY2(clock.isValid(), "the embedding finished before it could be cancelled");
    QCOMPARE(cancelled.count(), 1);
    const qint64 stopMs = clock.elapsed();
    qInfo("cancel -> stopped in %lld ms; worst GUI-thread stall %lld ms", stopMs, watchdog.worstMs());
    QVERIFY(progress.count() > 0);
    QVERIFY2(watchdog.ticksWhileRunning() >= 3, "the GUI thread did not serve its event loop while the task ran");
    QCOMPARE(task->state(), ui::BackgroundTask::State::Cancelled);
    QVERIFY(!fs::exists(out));
    QVERIFY(fs::exists(store::EmbeddingWriter::partialPath(out)));

    auto* resume = tasks.start(QStringLiteral("resume"), [options](const tasks::TaskContext& c) {
      const auto r = pipeline::runEmbedding(options, c);
      if (r.already_stored == 0) throw std::runtime_error("the resumed run recomputed everything");
    });
    QSignalSpy resumeEnded(resume, &ui::BackgroundTask::ended);
    QVERIFY(resumeEnded.wait(120000));
    QVERIFY2(resume->state() == ui::BackgroundTask::State::Succeeded, qPrintable(resume->error()));
    QCOMPARE(store::EmbeddingStore::open(out).size(), std::size_t(768));
  }

  void embeddingPausesAndResumesFromTheActivityPanel() {
    ui::TaskManager tasks;
    ui::ActivityPanel activity(&tasks);
    const fs::path out = fs::path(fixture_.dir.path().toStdString()) / "paused.h5ad";
    auto options = fixture_.embedOptions(out);
    options.batch = 2;
    auto* task = tasks.start(QStringLiteral("embed"),
                             [options](const tasks::TaskContext& c) { pipeline::runEmbedding(options, c); });
    QSignalSpy progress(task, &ui::BackgroundTask::progress);
    QSignalSpy ended(task, &ui::BackgroundTask::ended);
    // Pause once sites are being embedded (the first reports are the screen being read).
    QTRY_VERIFY_WITH_TIMEOUT(task->message().startsWith(QLatin1String("embedding")) && task->done() > 0, 60000);
    auto* pause = activity.findChild<QPushButton*>(QStringLiteral("pause_0"));
    QVERIFY(pause);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(task->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("Resume"));
    progress.wait(500);  // the batch in flight
    const int reports = progress.count();
    const qint64 done = task->done();
    QVERIFY2(!progress.wait(1500), "the embedding went on while paused");
    QCOMPARE(progress.count(), reports);
    QCOMPARE(task->done(), done);
    QVERIFY(done < 768);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(!task->isPaused());
    QVERIFY(ended.wait(120000));
    QCOMPARE(task->state(), ui::BackgroundTask::State::Succeeded);
    QCOMPARE(store::EmbeddingStore::open(out).size(), std::size_t(768));
    QVERIFY(activity.logText().contains(QLatin1String("embed paused")));
    QVERIFY(activity.logText().contains(QLatin1String("embed resumed")));
  }

  void failureReachesTheGuiThreadWithItsMessage() {
    ui::TaskManager tasks;
    ui::ActivityPanel activity(&tasks);
    auto options = fixture_.embedOptions(fs::path(fixture_.dir.path().toStdString()) / "bad.h5ad");
    options.checkpoint = "/nonexistent/run";
    auto* task = tasks.start(QStringLiteral("bad"),
                             [options](const tasks::TaskContext& c) { pipeline::runEmbedding(options, c); });
    QSignalSpy failed(task, &ui::BackgroundTask::failed);
    QVERIFY(failed.wait(10000));
    QVERIFY2(task->error().contains(QLatin1String("/nonexistent/run")), qPrintable(task->error()));
    // The activity row shows the error, not its last progress line.
    auto* table = activity.findChild<QTableWidget*>(QStringLiteral("taskTable"));
    QVERIFY(table);
    QTRY_VERIFY(table->item(0, 3) && table->item(0, 3)->text() == task->error());
  }

  void generatedImagesShowTheRunsSamplesAndNewOnes() {
    ui::TaskManager tasks;
    ui::GeneratedImagesPanel panel(&tasks);
    panel.setRunDirectory(QString::fromStdString(fixture_.run.string()));
    QCOMPARE(panel.stepBox()->currentText(), QStringLiteral("3"));  // samples/step-3.png
    QVERIFY(!panel.shownImage().isNull());
    QSignalSpy generated(&panel, &ui::GeneratedImagesPanel::generated);
    panel.generate();
    QVERIFY(generated.wait(60000));
    // 16 images of 32 px, 4 per row with 2-pixel gaps.
    QCOMPARE(panel.shownImage().width(), 4 * (32 + 2));
    QCOMPARE(panel.shownImage().height(), 4 * (32 + 2));
  }

  // Issue 13, 6: a failure shows in the panel, not only in the log.
  void generatedImagesPanelShowsItsFailure() {
    ui::TaskManager tasks;
    ui::GeneratedImagesPanel panel(&tasks);
    panel.setRunDirectory(QString::fromStdString((fs::path(fixture_.dir.path().toStdString()) / "no-run").string()));
    QSignalSpy failed(&panel, &ui::GeneratedImagesPanel::failed);
    panel.generate();
    QVERIFY(failed.wait(60000));
    QVERIFY2(panel.captionText().contains(QLatin1String("Generating failed")) &&
                 panel.captionText().contains(QLatin1String("no-run")),
             qPrintable(panel.captionText()));
  }

  // The shipped demo model is an inference-only export: "Generate" must work on it.
  void generatedImagesFromTheShippedModel() {
    ui::TaskManager tasks;
    ui::GeneratedImagesPanel panel(&tasks);
    panel.setRunDirectory(QString::fromStdString(model::resolveCheckpointDirectory("demo").string()));
    QSignalSpy generated(&panel, &ui::GeneratedImagesPanel::generated);
    QSignalSpy failed(&tasks, &ui::TaskManager::taskFailed);
    panel.generate();
    QVERIFY(generated.wait(60000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(panel.shownImage().width(), 4 * (64 + 2));  // the shipped model draws 64 px images
  }

  // Issue 13, 6: the training form is checked before a run starts, each problem named by field.
  void trainingPanelRefusesAnIncompleteForm() {
    ui::TaskManager tasks;
    ui::TrainingPanel panel(&tasks);
    QVERIFY(!panel.deviceNote()->text().contains(QLatin1String("cmake")));
    QVERIFY(panel.findChild<QPushButton*>(QStringLiteral("trainScreenBrowse")));
    QVERIFY(panel.findChild<QPushButton*>(QStringLiteral("trainRunBrowse")));
    QCOMPARE(panel.start(false), nullptr);
    QVERIFY2(panel.statusLabel()->text().contains(QLatin1String("Screen folder")),
             qPrintable(panel.statusLabel()->text()));
    panel.setScreenFolder(fixture_.dir.path());  // a folder without metadata.csv
    QCOMPARE(panel.start(false), nullptr);
    QVERIFY(panel.statusLabel()->text().contains(QLatin1String("no metadata.csv")));
    panel.setScreenFolder(QString::fromStdString(fixture_.screen.string()));
    QCOMPARE(panel.start(false), nullptr);
    QVERIFY(panel.statusLabel()->text().contains(QLatin1String("Run folder")));
    panel.setRunFolder(QString::fromStdString(fixture_.run.string()));
    QCOMPARE(panel.start(false), nullptr);  // Start on an existing run: Resume it instead
    QVERIFY(panel.statusLabel()->text().contains(QLatin1String("already holds a run")));
    QVERIFY2(panel.checkpointNote()->text().contains(QLatin1String("on disk")),
             qPrintable(panel.checkpointNote()->text()));
    QCOMPARE(tasks.tasks().size(), 0);
    panel.keepBox()->setValue(7);
    QCOMPARE(nlohmann::json::parse(panel.configJson())["keep_checkpoints"].get<int>(), 7);
  }

  void trainingStartsPausesResumesAndStopsFromThePanel() {
    ui::TaskManager tasks;
    ui::TrainingPanel panel(&tasks);
    QVERIFY(panel.deviceBox()->count() >= 1);
    QCOMPARE(panel.deviceBox()->itemData(0).toString(), QStringLiteral("cpu"));
    const fs::path run = fs::path(fixture_.dir.path().toStdString()) / "panel-run";
    panel.setScreenFolder(QString::fromStdString(fixture_.screen.string()));
    panel.setRunFolder(QString::fromStdString(run.string()));
    model::TrainingConfig config = test::tinyTrainingConfig(8, 3);
    config.log_every = 1;
    config.sample_every = 1000;
    panel.setConfigJson(QString::fromStdString(config.toJson().dump()));
    // The form overrides resolution, batch and steps of the JSON.
    const auto chosen = model::TrainingConfig::fromJson(nlohmann::json::parse(panel.configJson()));
    QCOMPARE(chosen.network.channel_base, 512);
    QSignalSpy metrics(&panel, &ui::TrainingPanel::metricsReceived);
    QSignalSpy ended(&panel, &ui::TrainingPanel::runEnded);
    StallWatchdog watchdog;
    auto* task = panel.start(false);
    watchdog.watch(task);
    QVERIFY(task);
    QVERIFY(metrics.wait(120000));

    // Pause holds the run in process: at most the step in flight reports, then nothing.
    QSignalSpy paused(task, &ui::BackgroundTask::pausedChanged);
    QTest::mouseClick(panel.findChild<QPushButton*>(QStringLiteral("trainPause")), Qt::LeftButton);
    QCOMPARE(paused.count(), 1);
    QVERIFY(task->isPaused());
    QVERIFY(task->isRunning());
    metrics.wait(1000);  // the step that was running when Pause was clicked
    const qint64 stepAtPause = metrics.last().at(0).toLongLong();
    const int reportsAtPause = metrics.count();
    QVERIFY2(!metrics.wait(1500), "training went on while paused");
    QCOMPARE(metrics.count(), reportsAtPause);
    QVERIFY(!model::RunDirectory(run).latestStep().has_value() ||
            *model::RunDirectory(run).latestStep() < stepAtPause);  // nothing reloaded or rewritten

    // Resume continues with the very next step, not from a checkpoint.
    QTest::mouseClick(panel.findChild<QPushButton*>(QStringLiteral("trainResume")), Qt::LeftButton);
    QVERIFY(!task->isPaused());
    QVERIFY(metrics.wait(30000));
    QCOMPARE(metrics.at(reportsAtPause).at(0).toLongLong(), stepAtPause + 1);

    // Stop ends the run with a checkpoint of the current step.
    QTest::mouseClick(panel.findChild<QPushButton*>(QStringLiteral("trainStop")), Qt::LeftButton);
    QVERIFY(ended.wait(30000));
    QCOMPARE(task->state(), ui::BackgroundTask::State::Cancelled);
    QVERIFY(model::RunDirectory(run).latestStep().has_value());
    QVERIFY(*model::RunDirectory(run).latestStep() > stepAtPause);
    qInfo("worst GUI-thread stall while training: %lld ms", watchdog.worstMs());
    QVERIFY2(watchdog.ticksWhileRunning() >= 3, "the GUI thread did not serve its event loop while the task ran");
  }

  // The learning curve in the training panel: Probe checkpoints runs gandl probe on the run in
  // the background and plots C+ vs C- accuracy per checkpoint beside the random-weight levels;
  // opening the run folder again shows the stored probe.
  void probeCheckpointsPlotsTheLearningCurve() {
    ui::TaskManager tasks;
    ui::TrainingPanel panel(&tasks);
    panel.setRunFolder(QString::fromStdString(fixture_.run.string()));
    QCOMPARE(panel.probePlot()->graph(0)->dataCount(), 0);
    panel.setProbeScreenFolder(QString::fromStdString(fixture_.screen.string()));
    QSignalSpy shown(&panel, &ui::TrainingPanel::probeShown);
    StallWatchdog watchdog;
    QTest::mouseClick(panel.findChild<QPushButton*>(QStringLiteral("probeStart")), Qt::LeftButton);
    QVERIFY(panel.probeTask());
    watchdog.watch(panel.probeTask());
    QVERIFY(shown.wait(120000));
    QCOMPARE(panel.probeTask()->state(), ui::BackgroundTask::State::Succeeded);
    const int checkpoints = static_cast<int>(model::RunDirectory(fixture_.run).checkpointSteps().size());
    QCOMPARE(shown.last().at(0).toInt(), checkpoints);
    QCOMPARE(panel.probePlot()->graph(0)->dataCount(), checkpoints);
    QCOMPARE(panel.probePlot()->graph(1)->dataCount(), checkpoints);
    QCOMPARE(panel.probePlot()->graph(2)->dataCount(), 2);  // the random-weight level, across
    for (int g = 0; g < 4; ++g) {
      const double value = panel.probePlot()->graph(g)->data()->at(0)->value;
      QVERIFY(value >= 0.0 && value <= 1.0);
    }
    QVERIFY(fs::exists(fixture_.run / "probe" / "probe.png"));
    QVERIFY2(watchdog.ticksWhileRunning() >= 3, "the GUI thread did not serve its event loop while the task ran");

    ui::TrainingPanel reopened(&tasks);
    reopened.setRunFolder(QString::fromStdString(fixture_.run.string()));
    QCOMPARE(reopened.probePlot()->graph(0)->dataCount(), checkpoints);
    fs::remove_all(fixture_.run / "probe");  // other tests see the run as it was
  }
};

QTEST_MAIN(TestBackgroundTasks)
#include "test_background_tasks.moc"
