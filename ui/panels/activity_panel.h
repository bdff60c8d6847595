#pragma once
// Every background task with its progress bar, state and a Cancel button, above a log of
// messages, warnings and errors (with their details). The panel only observes the TaskManager.

#include <QWidget>

class QPlainTextEdit;
class QTableWidget;

namespace gandl::ui {

class BackgroundTask;
class TaskManager;

class ActivityPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ActivityPanel(TaskManager* tasks, QWidget* parent = nullptr);

  QTableWidget* taskTable() const { return table_; }
  QString logText() const;

 public Q_SLOTS:
  void log(const QString& level, const QString& text);

 private:
  void addTask(BackgroundTask* task);

  QTableWidget* table_;
  QPlainTextEdit* log_;
};

}  // namespace gandl::ui
