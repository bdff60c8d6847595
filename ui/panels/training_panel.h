#pragma once
// Training a GAN-DL model: the screen and run folders, the device (what LibTorch sees; a
// CPU-only build says so), the common hyperparameters in a form and the whole config as JSON,
// Start / Pause / Resume / Stop, live losses, img/s and ETA. Pause holds the running task in
// process after its current step (nothing is reloaded; the ETA leaves the pause out); Resume
// continues it, or, when no run is active, continues the folder's latest checkpoint exactly. Stop
// ends the run with a checkpoint of the current step. The run belongs to the task manager, so it
// keeps going when the panel is closed.
//
// Below the losses, the learning curve of what matters: how well the discriminator's features
// separate C+ from C- on a screen the run did not train on, checkpoint by checkpoint (gandl
// probe; <run>/probe/probe.csv, shown when present). "Probe checkpoints" computes it in the
// background for the probe screen chosen beside it.

#include <QPointer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace gandl::ui {

class BackgroundTask;
class TaskManager;

class TrainingPanel : public QWidget {
  Q_OBJECT

 public:
  TrainingPanel(TaskManager* tasks, QWidget* parent = nullptr);

  void setScreenFolder(const QString& path);
  void setRunFolder(const QString& path);
  QString runFolder() const;
  // The config JSON the next Start uses (form values applied); throws std::invalid_argument.
  std::string configJson() const;
  void setConfigJson(const QString& json);
  BackgroundTask* task() const { return task_; }
  QComboBox* deviceBox() const { return device_; }
  QLabel* deviceNote() const { return deviceNote_; }
  QLabel* statusLabel() const { return speed_; }
  QLabel* checkpointNote() const { return checkpointNote_; }
  QSpinBox* keepBox() const { return keep_; }
  // Why Start or Resume cannot run with the form as it is ("" when it can), naming the field.
  QString problemWithForm(bool resume) const;
  // "3 checkpoints on disk, 222 MB each; the last 5 are kept" for the run folder.
  void updateCheckpointNote();
  QCustomPlot* probePlot() const { return probePlot_; }
  void setProbeScreenFolder(const QString& path);
  BackgroundTask* probeTask() const { return probeTask_; }

 public Q_SLOTS:
  BackgroundTask* start(bool resume = false);
  void pause();
  // Resumes a paused run; with none, starts from the folder's latest checkpoint.
  void resume();
  void stop();
  // Probes every checkpoint of the run folder on the probe screen, into <run>/probe.
  BackgroundTask* probe();
  // Shows <run>/probe/probe.csv (clears the plot when there is none).
  void loadProbe();

 Q_SIGNALS:
  void metricsReceived(qint64 step, double lossG, double lossD, double imagesPerSecond);
  void samplesWritten(qint64 step);
  void runEnded();
  void probeShown(int checkpoints);

 private:
  void onMetrics(qint64 step, double lossG, double lossD, double imagesPerSecond);
  void updateButtons();

  TaskManager* tasks_;
  QPointer<BackgroundTask> task_;
  QLineEdit* screen_;
  QLineEdit* run_;
  QComboBox* device_;
  QLabel* deviceNote_;
  QComboBox* resolution_;
  QSpinBox* batch_;
  QSpinBox* steps_;
  QSpinBox* seed_;
  QSpinBox* keep_;
  QLabel* checkpointNote_;
  QPlainTextEdit* json_;
  QPushButton* startButton_;
  QPushButton* pauseButton_;
  QPushButton* resumeButton_;
  QPushButton* stopButton_;
  QLabel* speed_;
  QCustomPlot* losses_;
  QLineEdit* probeScreen_;
  QPushButton* probeButton_;
  QLabel* probeNote_;
  QCustomPlot* probePlot_;
  QPointer<BackgroundTask> probeTask_;
  qint64 totalSteps_ = 0;
};

}  // namespace gandl::ui
