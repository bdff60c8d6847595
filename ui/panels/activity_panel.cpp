#include "ui/panels/activity_panel.h"

#include <QDateTime>
#include <QDebug>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "ui/task_manager.h"

namespace gandl::ui {

namespace {
enum Column { Name, Progress, State, Message, Cancel, ColumnCount };

QString stateName(const BackgroundTask& task) {
  switch (task.state()) {
    case BackgroundTask::State::Waiting:
      return QStringLiteral("waiting");
    case BackgroundTask::State::Running:
      return task.isPaused() ? QStringLiteral("paused") : QStringLiteral("running");
    case BackgroundTask::State::Succeeded:
      return QStringLiteral("done");
    case BackgroundTask::State::Failed:
      return QStringLiteral("failed");
    case BackgroundTask::State::Cancelled:
      return QStringLiteral("cancelled");
  }
  return {};
}
}  // namespace

ActivityPanel::ActivityPanel(TaskManager* tasks, QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("activityPanel"));
  table_ = new QTableWidget(0, ColumnCount, this);
  table_->setObjectName(QStringLiteral("taskTable"));
  table_->setHorizontalHeaderLabels({tr("Task"), tr("Progress"), tr("State"), tr("Now"), QString()});
  table_->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::ResizeToContents);  // names whole
  table_->horizontalHeader()->setSectionResizeMode(State, QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(Message, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  log_ = new QPlainTextEdit(this);
  log_->setObjectName(QStringLiteral("log"));
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(table_);
  splitter->addWidget(log_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
  for (auto* t : tasks->tasks()) addTask(t);
  connect(tasks, &TaskManager::taskStarted, this, &ActivityPanel::addTask);
}

QString ActivityPanel::logText() const { return log_->toPlainText(); }

void ActivityPanel::log(const QString& level, const QString& text) {
  const QString stamp = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
  const QString line = QStringLiteral("%1 %2: %3").arg(stamp, level, text);
  log_->appendPlainText(line);
  qInfo().noquote() << line;  // the same on stderr, for runs without anyone watching
}

void ActivityPanel::addTask(BackgroundTask* task) {
  const int row = table_->rowCount();
  table_->insertRow(row);
  table_->setItem(row, Name, new QTableWidgetItem(task->name()));
  auto* bar = new QProgressBar(table_);
  bar->setRange(0, 0);
  table_->setCellWidget(row, Progress, bar);
  auto* state = new QTableWidgetItem(stateName(*task));
  table_->setItem(row, State, state);
  auto* message = new QTableWidgetItem;
  table_->setItem(row, Message, message);
  // Pause holds the task at its next batch, step or fit, in process; Cancel stops it.
  auto* buttons = new QWidget(table_);
  auto* pause = new QPushButton(tr("Pause"), buttons);
  pause->setObjectName(QStringLiteral("pause_%1").arg(row));
  pause->setCheckable(true);
  auto* cancel = new QPushButton(tr("Cancel"), buttons);
  cancel->setObjectName(QStringLiteral("cancel_%1").arg(row));
  auto* buttonLayout = new QHBoxLayout(buttons);
  buttonLayout->setContentsMargins(0, 0, 0, 0);
  buttonLayout->setSpacing(2);
  buttonLayout->addWidget(pause);
  buttonLayout->addWidget(cancel);
  table_->setCellWidget(row, Cancel, buttons);
  connect(cancel, &QPushButton::clicked, task, &BackgroundTask::cancel);
  connect(pause, &QPushButton::toggled, task, [task, pause](bool on) {
    on ? task->pause() : task->resume();
    const QSignalBlocker block(pause);  // a task that is no longer running does not pause
    pause->setChecked(task->isPaused());
  });
  log(QStringLiteral("task"), tr("%1 started").arg(task->name()));
  connect(task, &BackgroundTask::progress, bar,
          [bar, message, state, task](qint64 done, qint64 total, const QString& unit, const QString& text) {
            if (total > 0) {
              bar->setRange(0, 1000);
              bar->setValue(static_cast<int>(1000.0 * done / total));
              bar->setFormat(QStringLiteral("%1 / %2 %3").arg(done).arg(total).arg(unit));
            }
            if (!text.isEmpty()) message->setText(text);
            state->setText(stateName(*task));
          });
  connect(task, &BackgroundTask::ended, this, [this, bar, state, message, cancel, pause, task] {
    state->setText(stateName(*task));
    cancel->setEnabled(false);
    pause->setEnabled(false);
    if (task->state() == BackgroundTask::State::Succeeded) {
      bar->setRange(0, 1000);
      bar->setValue(1000);
    } else if (bar->maximum() == 0) {
      bar->setRange(0, 1000);
    }
    const QString seconds = QString::number(task->elapsedSeconds(), 'f', 1);
    if (task->state() == BackgroundTask::State::Failed) {
      // The row says why it failed, not the last progress line it reported.
      message->setText(task->error());
      message->setToolTip(task->error());
      message->setForeground(palette().color(QPalette::Highlight));
    }
    if (task->state() == BackgroundTask::State::Failed)
      log(QStringLiteral("error"), tr("%1 failed after %2 s: %3").arg(task->name(), seconds, task->error()));
    else
      log(QStringLiteral("task"), tr("%1 %2 after %3 s").arg(task->name(), stateName(*task), seconds));
  });
  connect(task, &BackgroundTask::pausedChanged, this, [this, state, pause, task](bool paused) {
    const QSignalBlocker block(pause);  // paused from elsewhere (the training panel)
    pause->setChecked(paused);
    pause->setText(paused ? tr("Resume") : tr("Pause"));
    state->setText(stateName(*task));
    log(QStringLiteral("task"), paused ? tr("%1 paused").arg(task->name()) : tr("%1 resumed").arg(task->name()));
  });
  table_->scrollToBottom();
}

}  // namespace gandl::ui
