#include "ui/panels/training_panel.h"

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
    deviceNote_->setText(tr("This LibTorch build is CPU-only. For a GPU, build against an upstream CUDA LibTorch: "
                            "cmake -DCMAKE_PREFIX_PATH=/path/to/libtorch (see docs/gui.md)."));
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
  for (const auto& [name, colour] : {std::pair{tr("loss G"), categoricalColor(0)}, std::pair{tr("loss D"), categoricalColor(1)}}) {
    auto* graph = losses_->addGraph();
    graph->setName(name);
    graph->setPen(QPen(colour, 1.5));
  }
  losses_->legend->setVisible(true);
  losses_->xAxis->setLabel(tr("step"));
  losses_->yAxis->setLabel(tr("loss"));

  auto* form = new QFormLayout;
  form->addRow(tr("Screen folder"), screen_);
  form->addRow(tr("Run folder"), run_);
  form->addRow(tr("Device"), device_);
  form->addRow(QString(), deviceNote_);
  form->addRow(tr("Resolution"), resolution_);
  form->addRow(tr("Batch"), batch_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Seed"), seed_);
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
  connect(startButton_, &QPushButton::clicked, this, [this] { start(false); });
  connect(resumeButton_, &QPushButton::clicked, this, &TrainingPanel::resume);
  connect(pauseButton_, &QPushButton::clicked, this, &TrainingPanel::pause);
  connect(stopButton_, &QPushButton::clicked, this, &TrainingPanel::stop);
  connect(this, &TrainingPanel::metricsReceived, this, &TrainingPanel::onMetrics);
  updateButtons();
}

void TrainingPanel::setScreenFolder(const QString& path) { screen_->setText(path); }
void TrainingPanel::setRunFolder(const QString& path) { run_->setText(path); }
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
  config.validate();
  return config.toJson().dump(2);
}

BackgroundTask* TrainingPanel::start(bool resume) {
  if (task_ && task_->isRunning()) return task_;
  pipeline::TrainTaskOptions options;
  try {
    options.config = model::TrainingConfig::fromJson(nlohmann::json::parse(configJson()));
  } catch (const std::exception& e) {
    speed_->setText(tr("<font color='red'>%1</font>").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    return nullptr;
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
    QMetaObject::invokeMethod(self.data(), [self, step, g, d, speed] {
      if (self) Q_EMIT self->metricsReceived(step, g, d, speed);
    }, Qt::QueuedConnection);
  };
  callbacks.samples = [self](std::int64_t step, const model::HostBatch&) {
    QMetaObject::invokeMethod(self.data(), [self, step] {
      if (self) Q_EMIT self->samplesWritten(step);
    }, Qt::QueuedConnection);
  };
  task_ = tasks_->start(resume ? tr("Resume training %1").arg(run_->text()) : tr("Train %1").arg(run_->text()),
                        [options, callbacks](const tasks::TaskContext& context) {
                          pipeline::runTraining(options, context, callbacks);
                        });
  connect(task_, &BackgroundTask::ended, this, [this] {
    updateButtons();
    Q_EMIT runEnded();
  });
  connect(task_, &BackgroundTask::pausedChanged, this, [this](bool paused) {
    if (paused) speed_->setText(speed_->text() + tr(" (paused)"));
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
    eta = tr(", ETA %1:%2:%3").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0')).arg(seconds % 60, 2, 10, QLatin1Char('0'));
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
