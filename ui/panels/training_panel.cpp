#include "ui/panels/training_panel.h"

#include <filesystem>

#include <QFileDialog>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "core/model/torch_runtime.h"
#include "core/model/training_config.h"
#include "core/pipeline/probe_task.h"
#include "core/pipeline/train_task.h"
#include "ui/plot_style.h"
#include "ui/plots/qcustomplot.h"
#include "ui/task_manager.h"

namespace gandl::ui {

TrainingPanel::TrainingPanel(TaskManager* tasks, QWidget* parent) : QWidget(parent), tasks_(tasks) {
  setObjectName(QStringLiteral("trainingPanel"));
  screen_ = new QLineEdit(this);
  screen_->setObjectName(QStringLiteral("trainScreen"));
  run_ = new QLineEdit(this);
  run_->setObjectName(QStringLiteral("trainRun"));
  device_ = new QComboBox(this);
  device_->setObjectName(QStringLiteral("deviceBox"));
  bool cuda = false;
  for (const auto& d : model::availableDevices()) {
    const QString text = QString::fromStdString(d);
    device_->addItem(text, text.section(QLatin1Char(' '), 0, 0));
    cuda = cuda || text.startsWith(QLatin1String("cuda"));
  }
  deviceNote_ = new QLabel(this);
  deviceNote_->setWordWrap(true);
  if (!cuda)
    deviceNote_->setText(
        tr("No GPU is available to this installation: training runs on the CPU (hours for a useful model). "
           "Training on a GPU needs the CUDA build of the workbench; see the user guide, section GPU."));
  resolution_ = new QComboBox(this);
  for (int r : {32, 64, 128, 256}) resolution_->addItem(QString::number(r), r);
  resolution_->setCurrentIndex(1);
  batch_ = new QSpinBox(this);
  batch_->setRange(1, 1024);
  batch_->setValue(16);
  steps_ = new QSpinBox(this);
  steps_->setRange(1, 100000000);
  steps_->setValue(1000);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  keep_ = new QSpinBox(this);
  keep_->setObjectName(QStringLiteral("keepCheckpoints"));
  keep_->setRange(1, 100000);
  keep_->setValue(model::TrainingConfig{}.keep_checkpoints);
  keep_->setToolTip(
      tr("Checkpoints kept in the run folder (the oldest are deleted); each holds both networks "
         "and their optimizer states, about 220 MB for the 64 px model."));
  checkpointNote_ = new QLabel(this);
  checkpointNote_->setObjectName(QStringLiteral("checkpointNote"));
  checkpointNote_->setWordWrap(true);
  json_ = new QPlainTextEdit(this);
  json_->setObjectName(QStringLiteral("configJson"));
  json_->setPlainText(QString::fromStdString(model::TrainingConfig{}.toJson().dump(2)));
  json_->setToolTip(tr("The whole training config; the form fields above override their keys."));
  startButton_ = new QPushButton(tr("Start"), this);
  pauseButton_ = new QPushButton(tr("Pause"), this);
  resumeButton_ = new QPushButton(tr("Resume"), this);
  stopButton_ = new QPushButton(tr("Stop"), this);
  startButton_->setObjectName(QStringLiteral("trainStart"));
  pauseButton_->setObjectName(QStringLiteral("trainPause"));
  resumeButton_->setObjectName(QStringLiteral("trainResume"));
  stopButton_->setObjectName(QStringLiteral("trainStop"));
  pauseButton_->setToolTip(tr("Hold the run after its current step; Resume continues it in place."));
  resumeButton_->setToolTip(tr("Continue a paused run, or the run folder's latest checkpoint."));
  stopButton_->setToolTip(tr("End the run after its current step, writing a checkpoint."));
  speed_ = new QLabel(this);
  speed_->setObjectName(QStringLiteral("trainSpeed"));
  losses_ = new QCustomPlot(this);
  losses_->setMinimumHeight(160);
  applyPlotPalette(*losses_);
  for (const auto& [name, colour] :
       {std::pair{tr("loss G"), categoricalColor(0)}, std::pair{tr("loss D"), categoricalColor(1)}}) {
    auto* graph = losses_->addGraph();
    graph->setName(name);
    graph->setPen(QPen(colour, 1.5));
  }
  losses_->legend->setVisible(true);
  losses_->xAxis->setLabel(tr("step"));
  losses_->yAxis->setLabel(tr("loss"));

  probeScreen_ = new QLineEdit(this);
  probeScreen_->setObjectName(QStringLiteral("probeScreen"));
  probeScreen_->setPlaceholderText(tr("a screen with C+ and C- controls the run did not train on"));
  probeButton_ = new QPushButton(tr("Probe checkpoints"), this);
  probeButton_->setObjectName(QStringLiteral("probeStart"));
  probeButton_->setToolTip(
      tr("Score every checkpoint's discriminator features on the probe screen's controls "
         "(C+ vs C-, held-out wells); writes <run>/probe"));
  probeNote_ = new QLabel(this);
  probeNote_->setObjectName(QStringLiteral("probeNote"));
  probeNote_->setWordWrap(true);
  probePlot_ = new QCustomPlot(this);
  probePlot_->setObjectName(QStringLiteral("probePlot"));
  probePlot_->setMinimumHeight(160);
  applyPlotPalette(*probePlot_);
  {
    const std::pair<QString, int> curves[] = {{tr("GAN-DL feature (FC-512)"), 0},
                                              {tr("first block, pooled"), 2},
                                              {tr("FC-512, random weights"), 0},
                                              {tr("first block, random weights"), 2}};
    for (std::size_t i = 0; i < std::size(curves); ++i) {
      auto* graph = probePlot_->addGraph();
      graph->setName(curves[i].first);
      QPen pen(categoricalColor(curves[i].second), i < 2 ? 2.0 : 1.0);
      if (i >= 2) pen.setStyle(Qt::DashLine);
      graph->setPen(pen);
      if (i < 2) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    }
  }
  probePlot_->legend->setVisible(true);
  probePlot_->xAxis->setLabel(tr("kimg (thousands of real images shown)"));
  probePlot_->yAxis->setLabel(tr("C+ vs C- balanced accuracy"));
  probePlot_->yAxis->setRange(0.4, 1.0);

  // A folder field with its Browse button.
  const auto folderRow = [this](QLineEdit* edit, const QString& title) {
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    auto* browse = new QPushButton(tr("Browse..."), this);
    browse->setObjectName(edit->objectName() + QStringLiteral("Browse"));
    row->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, title] {
      const QString folder = QFileDialog::getExistingDirectory(this, title, edit->text());
      if (folder.isEmpty()) return;
      edit->setText(folder);
      Q_EMIT edit->editingFinished();
    });
    return row;
  };
  auto* form = new QFormLayout;
  form->addRow(tr("Screen folder"), folderRow(screen_, tr("Screen to train on")));
  form->addRow(tr("Run folder"), folderRow(run_, tr("Run folder (new, or a run to resume)")));
  form->addRow(tr("Device"), device_);
  form->addRow(QString(), deviceNote_);
  form->addRow(tr("Resolution"), resolution_);
  form->addRow(tr("Batch"), batch_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Keep checkpoints"), keep_);
  form->addRow(QString(), checkpointNote_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(startButton_);
  buttons->addWidget(pauseButton_);
  buttons->addWidget(resumeButton_);
  buttons->addWidget(stopButton_);
  buttons->addWidget(speed_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(form);
  layout->addWidget(json_, 1);
  layout->addLayout(buttons);
  layout->addWidget(losses_, 2);
  auto* probeRow = new QHBoxLayout;
  probeRow->addWidget(new QLabel(tr("Probe screen"), this));
  probeRow->addWidget(probeScreen_, 1);
  probeRow->addWidget(probeButton_);
  layout->addLayout(probeRow);
  layout->addWidget(probeNote_);
  layout->addWidget(probePlot_, 2);
  connect(probeButton_, &QPushButton::clicked, this, [this] { probe(); });
  connect(run_, &QLineEdit::editingFinished, this, &TrainingPanel::loadProbe);
  connect(run_, &QLineEdit::editingFinished, this, &TrainingPanel::updateCheckpointNote);
  connect(startButton_, &QPushButton::clicked, this, [this] { start(false); });
  connect(resumeButton_, &QPushButton::clicked, this, &TrainingPanel::resume);
  connect(pauseButton_, &QPushButton::clicked, this, &TrainingPanel::pause);
  connect(stopButton_, &QPushButton::clicked, this, &TrainingPanel::stop);
  connect(this, &TrainingPanel::metricsReceived, this, &TrainingPanel::onMetrics);
  updateButtons();
}

void TrainingPanel::setScreenFolder(const QString& path) { screen_->setText(path); }
void TrainingPanel::setRunFolder(const QString& path) {
  run_->setText(path);
  updateCheckpointNote();
  loadProbe();
}

void TrainingPanel::setProbeScreenFolder(const QString& path) { probeScreen_->setText(path); }

BackgroundTask* TrainingPanel::probe() {
  if (probeTask_ && probeTask_->isRunning()) return probeTask_;
  if (run_->text().isEmpty() || probeScreen_->text().isEmpty()) {
    probeNote_->setText(tr("<font color='red'>Choose a run folder and a probe screen first.</font>"));
    return nullptr;
  }
  pipeline::ProbeTaskOptions options;
  options.run = run_->text().toStdString();
  options.data = probeScreen_->text().toStdString();
  options.out = std::filesystem::path(options.run) / "probe";
  options.device = device_->currentData().toString().toStdString();
  probeTask_ = tasks_->start(tr("Probe %1 on %2").arg(run_->text(), probeScreen_->text()),
                             [options](const tasks::TaskContext& context) { pipeline::runProbe(options, context); });
  probeButton_->setEnabled(false);
  connect(probeTask_, &BackgroundTask::ended, this, [this] {
    probeButton_->setEnabled(true);
    loadProbe();  // a cancelled probe leaves the checkpoints done so far
    if (probeTask_ && probeTask_->state() == BackgroundTask::State::Failed)
      probeNote_->setText(tr("<font color='red'>%1</font>").arg(probeTask_->error().toHtmlEscaped()));
  });
  return probeTask_;
}

void TrainingPanel::loadProbe() {
  for (int g = 0; g < probePlot_->graphCount(); ++g) probePlot_->graph(g)->data()->clear();
  std::vector<pipeline::ProbeRow> rows;
  QString problem;
  try {
    rows = pipeline::readProbeCsv(std::filesystem::path(run_->text().toStdString()) / "probe" / "probe.csv");
  } catch (const std::exception& e) {
    problem = QString::fromStdString(e.what());
  }
  // The first block is the readout with the largest resolution: pool_b<res>.
  std::string firstBlock;
  int firstRes = 0;
  for (const auto& r : rows)
    if (r.readout.rfind("pool_b", 0) == 0) {
      const int res = std::atoi(r.readout.c_str() + 6);
      if (res > firstRes) firstRes = res, firstBlock = r.readout;
    }
  double maxKimg = 0, randomFc = -1, randomBlock = -1;
  int checkpoints = 0;
  for (const auto& r : rows) {
    if (r.task != "c_pos_vs_c_neg" || r.subset != "all") continue;
    maxKimg = std::max(maxKimg, r.kimg);
    if (r.readout == "fc512") {
      if (r.step < 0)
        randomFc = r.balanced_accuracy;
      else {
        probePlot_->graph(0)->addData(r.kimg, r.balanced_accuracy);
        ++checkpoints;
      }
    } else if (r.readout == firstBlock) {
      if (r.step < 0)
        randomBlock = r.balanced_accuracy;
      else
        probePlot_->graph(1)->addData(r.kimg, r.balanced_accuracy);
    }
  }
  const double right = maxKimg > 0 ? maxKimg : 1.0;
  if (randomFc >= 0) probePlot_->graph(2)->setData({0.0, right}, {randomFc, randomFc});
  if (randomBlock >= 0) probePlot_->graph(3)->setData({0.0, right}, {randomBlock, randomBlock});
  probePlot_->graph(1)->setName(firstBlock.empty()
                                    ? tr("first block, pooled")
                                    : tr("first block, pooled (%1)").arg(QString::fromStdString(firstBlock)));
  probePlot_->xAxis->setRange(0, right * 1.05);
  probePlot_->yAxis->setRange(0.4, 1.0);
  probePlot_->replot(QCustomPlot::rpQueuedReplot);
  if (!problem.isEmpty())
    probeNote_->setText(tr("<font color='red'>%1</font>").arg(problem.toHtmlEscaped()));
  else if (checkpoints > 0)
    probeNote_->setText(
        tr("%1 checkpoint(s) probed; latest FC-512 accuracy %2 (random weights %3)")
            .arg(checkpoints)
            .arg(probePlot_->graph(0)->data()->at(probePlot_->graph(0)->dataCount() - 1)->value, 0, 'f', 3)
            .arg(randomFc, 0, 'f', 3));
  else
    probeNote_->setText(tr("No probe of this run yet."));
  Q_EMIT probeShown(checkpoints);
}
QString TrainingPanel::runFolder() const { return run_->text(); }
void TrainingPanel::setConfigJson(const QString& json) { json_->setPlainText(json); }

std::string TrainingPanel::configJson() const {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(json_->toPlainText().toStdString());
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("training config JSON: ") + e.what());
  }
  auto config = model::TrainingConfig::fromJson(json);
  config.network.resolution = resolution_->currentData().toInt();
  config.batch = batch_->value();
  config.steps = steps_->value();
  config.seed = static_cast<std::uint64_t>(seed_->value());
  config.keep_checkpoints = keep_->value();
  config.validate();
  return config.toJson().dump(2);
}

QString TrainingPanel::problemWithForm(bool resume) const {
  namespace fs = std::filesystem;
  const QString screen = screen_->text().trimmed(), run = run_->text().trimmed();
  if (screen.isEmpty()) return tr("Screen folder: choose the screen to train on (Browse...).");
  std::error_code error;
  if (!fs::is_regular_file(fs::path(screen.toStdString()) / "metadata.csv", error))
    return tr("Screen folder: %1 holds no metadata.csv, so it is not a screen.").arg(screen);
  if (run.isEmpty()) return tr("Run folder: choose where the run is written (a new or empty folder).");
  const fs::path runPath = run.toStdString();
  const bool hasRun = fs::exists(runPath / "config.json", error);
  if (resume && !hasRun) return tr("Run folder: %1 holds no run to resume; Start a new one.").arg(run);
  if (!resume && hasRun) return tr("Run folder: %1 already holds a run; Resume it, or choose a new folder.").arg(run);
  if (fs::exists(runPath, error) && !fs::is_directory(runPath, error))
    return tr("Run folder: %1 is a file, not a folder.").arg(run);
  return {};
}

void TrainingPanel::updateCheckpointNote() {
  namespace fs = std::filesystem;
  const fs::path run = run_->text().trimmed().toStdString();
  std::error_code error;
  int count = 0;
  std::uintmax_t largest = 0;
  if (!run.empty() && fs::is_directory(run, error))
    for (const auto& entry : fs::directory_iterator(run, error)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("step-", 0) != 0 || entry.path().extension() != ".pt") continue;
      ++count;
      largest = std::max(largest, entry.file_size(error));
    }
  checkpointNote_->setText(
      count == 0 ? tr("The last %1 checkpoints are kept (about 220 MB each for the 64 px model).").arg(keep_->value())
                 : tr("%1 checkpoint(s) on disk, %2 MB each; the last %3 are kept.")
                       .arg(count)
                       .arg(static_cast<double>(largest) / (1024.0 * 1024.0), 0, 'f', 0)
                       .arg(keep_->value()));
}

BackgroundTask* TrainingPanel::start(bool resume) {
  if (task_ && task_->isRunning()) return task_;
  pipeline::TrainTaskOptions options;
  const auto refuse = [this](const QString& why) {
    speed_->setText(tr("<font color='red'>%1</font>").arg(why.toHtmlEscaped()));
    return nullptr;
  };
  if (const QString problem = problemWithForm(resume); !problem.isEmpty()) return refuse(problem);
  try {
    options.config = model::TrainingConfig::fromJson(nlohmann::json::parse(configJson()));
  } catch (const std::exception& e) {
    return refuse(QString::fromStdString(e.what()));
  }
  options.data = screen_->text().toStdString();
  options.run = run_->text().toStdString();
  options.device = device_->currentData().toString().toStdString();
  options.resume = resume;
  totalSteps_ = options.config.steps;
  if (!resume)
    for (int g = 0; g < losses_->graphCount(); ++g) losses_->graph(g)->data()->clear();
  QPointer<TrainingPanel> self(this);
  model::TrainingCallbacks callbacks;
  callbacks.metrics = [self](const nlohmann::json& m) {
    const qint64 step = m.value("step", 0);
    const double g = m.value("loss_g", 0.0), d = m.value("loss_d", 0.0), speed = m.value("img_per_s", 0.0);
    QMetaObject::invokeMethod(
        self.data(),
        [self, step, g, d, speed] {
          if (self) Q_EMIT self->metricsReceived(step, g, d, speed);
        },
        Qt::QueuedConnection);
  };
  callbacks.samples = [self](std::int64_t step, const common::HostBatch&) {
    QMetaObject::invokeMethod(
        self.data(),
        [self, step] {
          if (self) Q_EMIT self->samplesWritten(step);
        },
        Qt::QueuedConnection);
  };
  task_ = tasks_->start(
      resume ? tr("Resume training %1").arg(run_->text()) : tr("Train %1").arg(run_->text()),
      [options, callbacks](const tasks::TaskContext& context) { pipeline::runTraining(options, context, callbacks); });
  // Until the first step is logged (reading the screen, building the networks: up to a minute),
  // the status says what is happening instead of nothing.
  speed_->setText(tr("loading the screen and building the networks..."));
  connect(task_, &BackgroundTask::progress, this, [this](qint64 done, qint64, const QString&, const QString& message) {
    if (done == 0 && !message.isEmpty()) speed_->setText(tr("starting: %1").arg(message));
  });
  connect(task_, &BackgroundTask::ended, this, [this] {
    const auto* task = task_.data();
    if (task && task->state() == BackgroundTask::State::Failed)
      speed_->setText(tr("<font color='red'>failed: %1</font>").arg(task->error().toHtmlEscaped()));
    else if (task && task->state() == BackgroundTask::State::Cancelled)
      speed_->setText(speed_->text().remove(tr(" (paused)")) + tr(" (stopped; Resume continues from the checkpoint)"));
    updateCheckpointNote();
    updateButtons();
    Q_EMIT runEnded();
  });
  connect(task_, &BackgroundTask::pausedChanged, this, [this](bool paused) {
    speed_->setText(speed_->text().remove(tr(" (paused)")) + (paused ? tr(" (paused)") : QString()));
    updateButtons();
  });
  updateButtons();
  return task_;
}

void TrainingPanel::pause() {
  if (task_) task_->pause();
}

void TrainingPanel::resume() {
  if (task_ && task_->isRunning()) {
    task_->resume();
    return;
  }
  start(true);
}

void TrainingPanel::stop() {
  if (task_) task_->cancel();
}

void TrainingPanel::onMetrics(qint64 step, double lossG, double lossD, double imagesPerSecond) {
  losses_->graph(0)->addData(step, lossG);
  losses_->graph(1)->addData(step, lossD);
  losses_->rescaleAxes();
  losses_->replot(QCustomPlot::rpQueuedReplot);
  const int batch = batch_->value();
  const double stepsPerSecond = imagesPerSecond / std::max(1, batch);
  QString eta;
  if (stepsPerSecond > 0 && totalSteps_ > step) {
    const qint64 seconds = static_cast<qint64>((totalSteps_ - step) / stepsPerSecond);
    eta = tr(", ETA %1:%2:%3")
              .arg(seconds / 3600)
              .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
              .arg(seconds % 60, 2, 10, QLatin1Char('0'));
  }
  speed_->setText(tr("step %1 / %2, %3 img/s%4").arg(step).arg(totalSteps_).arg(imagesPerSecond, 0, 'f', 1).arg(eta));
}

void TrainingPanel::updateButtons() {
  const bool running = task_ && task_->isRunning();
  const bool paused = running && task_->isPaused();
  startButton_->setEnabled(!running);
  resumeButton_->setEnabled(!running || paused);
  pauseButton_->setEnabled(running && !paused);
  stopButton_->setEnabled(running);
}

}  // namespace gandl::ui
