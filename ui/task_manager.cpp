#include "ui/task_manager.h"

namespace gandl::ui {

TaskManager::TaskManager(QObject* parent) : QObject(parent) {}

TaskManager::~TaskManager() { shutdown(); }

BackgroundTask* TaskManager::start(const QString& name, BackgroundTask::Work work, std::function<void()> onSuccess) {
  auto* task = new BackgroundTask(name, std::move(work), this);
  tasks_.push_back(task);
  if (onSuccess) connect(task, &BackgroundTask::succeeded, this, [onSuccess] { onSuccess(); });
  connect(task, &BackgroundTask::failed, this, [this, task](const QString& error) { Q_EMIT taskFailed(task, error); });
  connect(task, &BackgroundTask::ended, this, [this, task] { Q_EMIT taskEnded(task); });
  Q_EMIT taskStarted(task);
  task->start();
  return task;
}

int TaskManager::runningCount() const {
  int n = 0;
  for (auto* t : tasks_) n += t->isRunning();
  return n;
}

void TaskManager::cancelAll() {
  for (auto* t : tasks_) t->cancel();
}

void TaskManager::shutdown() {
  cancelAll();
  for (auto* t : tasks_) t->wait(-1);
}

}  // namespace gandl::ui
