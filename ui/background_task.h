#pragma once
// A core task (embedding, training, analysis, export...) on its own QThread. The task's
// TaskContext reports progress from the worker thread; reports reach the GUI thread as queued
// signals, at most one every 30 ms plus the last one and every change of message, so a fast task
// cannot flood the event loop.
// cancel() trips the task's CancelToken; the core task notices within one batch, well or fit and
// throws tasks::Cancelled after leaving its outputs valid. Exactly one of succeeded / failed /
// cancelled follows, then ended, always on the thread that owns the object.
// pause() holds the task at its next cancel check (in process: memory, optimizer state and open
// files stay) until resume(); cancel() also ends a pause.

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

namespace gandl::tasks {
class CancelToken;
class TaskContext;
}  // namespace gandl::tasks

class QThread;

namespace gandl::ui {

class BackgroundTask : public QObject {
  Q_OBJECT

 public:
  using Work = std::function<void(const tasks::TaskContext&)>;
  enum class State { Waiting, Running, Succeeded, Failed, Cancelled };

  BackgroundTask(QString name, Work work, QObject* parent = nullptr);
  ~BackgroundTask() override;

  const QString& name() const { return name_; }
  State state() const { return state_; }
  bool isRunning() const { return state_ == State::Running; }
  bool isPaused() const;
  const QString& error() const { return error_; }
  qint64 done() const { return done_; }
  qint64 total() const { return total_; }
  const QString& message() const { return message_; }
  double elapsedSeconds() const;

  void start();
  // Blocks until the thread ended or `milliseconds` passed (tests, shutdown); true when ended.
  bool wait(int milliseconds);

 public Q_SLOTS:
  void cancel();
  void pause();
  void resume();

 Q_SIGNALS:
  void progress(qint64 done, qint64 total, const QString& unit, const QString& message);
  void succeeded();
  void failed(const QString& error);
  void cancelled();
  void ended();
  void pausedChanged(bool paused);

 private:
  void finishOnOwnerThread();

  QString name_;
  Work work_;
  State state_ = State::Waiting;
  QString error_;
  qint64 done_ = 0, total_ = 0;
  QString message_;
  QElapsedTimer clock_;
  std::unique_ptr<tasks::CancelToken> token_;
  QThread* thread_ = nullptr;
  // Written by the worker, read on the owner thread after QThread::finished.
  State outcome_ = State::Succeeded;
  QString outcomeError_;
  std::shared_ptr<std::atomic<qint64>> lastReportMs_;
};

}  // namespace gandl::ui
