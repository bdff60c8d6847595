#pragma once
// Every background task of the window, for the activity panel and for shutdown. start() wraps a
// core task in a BackgroundTask; `onSuccess` runs on the GUI thread when the task succeeded (it
// moves the task's results into the panels).

#include <QObject>
#include <QVector>
#include <functional>

#include "ui/background_task.h"

namespace gandl::ui {

class TaskManager : public QObject {
  Q_OBJECT

 public:
  explicit TaskManager(QObject* parent = nullptr);
  ~TaskManager() override;

  BackgroundTask* start(const QString& name, BackgroundTask::Work work, std::function<void()> onSuccess = {});
  const QVector<BackgroundTask*>& tasks() const { return tasks_; }
  int runningCount() const;
  void cancelAll();
  // Cancels everything and waits for the threads (window close).
  void shutdown();

 Q_SIGNALS:
  void taskStarted(gandl::ui::BackgroundTask* task);
  void taskFailed(gandl::ui::BackgroundTask* task, const QString& error);
  void taskEnded(gandl::ui::BackgroundTask* task);

 private:
  QVector<BackgroundTask*> tasks_;
};

}  // namespace gandl::ui
