#include "ui/background_task.h"

#include <QPointer>
#include <QThread>
#include <atomic>
#include <exception>

#include "core/tasks/progress.h"

namespace gandl::ui {

namespace {
constexpr qint64 kReportIntervalMs = 30;
}

BackgroundTask::BackgroundTask(QString name, Work work, QObject* parent)
    : QObject(parent),
      name_(std::move(name)),
      work_(std::move(work)),
      token_(std::make_unique<tasks::CancelToken>()),
      lastReportMs_(std::make_shared<std::atomic<qint64>>(-kReportIntervalMs)) {}

BackgroundTask::~BackgroundTask() {
  if (thread_) {
    token_->cancel();
    thread_->wait();
    delete thread_;
  }
}

double BackgroundTask::elapsedSeconds() const { return clock_.isValid() ? clock_.elapsed() / 1000.0 : 0.0; }

void BackgroundTask::start() {
  if (state_ != State::Waiting) return;
  state_ = State::Running;
  clock_.start();
  QPointer<BackgroundTask> self(this);
  const QElapsedTimer clock = clock_;
  auto last = lastReportMs_;
  // A report whose message differs from the previous one always goes through ("stored plate 3"
  // must not be lost to the rate limit); the worker thread alone touches lastMessage.
  auto lastMessage = std::make_shared<std::string>();
  tasks::ProgressCallback callback = [self, clock, last, lastMessage](const tasks::ProgressUpdate& u) {
    const qint64 now = clock.elapsed();
    const bool final = u.total > 0 && u.done >= u.total;
    const bool newMessage = u.message != *lastMessage;
    if (!final && !newMessage && now - last->load() < kReportIntervalMs) return;
    *lastMessage = u.message;
    last->store(now);
    const auto unit = QString::fromStdString(u.unit), message = QString::fromStdString(u.message);
    const qint64 done = u.done, total = u.total;
    QMetaObject::invokeMethod(
        self.data(),
        [self, done, total, unit, message] {
          if (!self) return;
          self->done_ = done;
          self->total_ = total;
          if (!message.isEmpty()) self->message_ = message;
          Q_EMIT self->progress(done, total, unit, message);
        },
        Qt::QueuedConnection);
  };
  const tasks::CancelToken* token = token_.get();
  thread_ = QThread::create([this, callback, token] {
    const tasks::TaskContext context(callback, token);
    try {
      work_(context);
      outcome_ = token->isCancelled() ? State::Cancelled : State::Succeeded;
    } catch (const tasks::Cancelled&) {
      outcome_ = State::Cancelled;
    } catch (const std::exception& e) {
      outcome_ = State::Failed;
      outcomeError_ = QString::fromStdString(e.what());
    } catch (...) {
      outcome_ = State::Failed;
      outcomeError_ = QStringLiteral("unknown error");
    }
  });
  thread_->setObjectName(name_);
  connect(thread_, &QThread::finished, this, &BackgroundTask::finishOnOwnerThread, Qt::QueuedConnection);
  thread_->start(QThread::LowPriority);
}

bool BackgroundTask::wait(int milliseconds) {
  if (!thread_) return state_ != State::Running;
  return thread_->wait(QDeadlineTimer(milliseconds));
}

void BackgroundTask::cancel() {
  if (state_ == State::Running) token_->cancel();
}

bool BackgroundTask::isPaused() const { return state_ == State::Running && token_->isPaused(); }

void BackgroundTask::pause() {
  if (state_ != State::Running || token_->isPaused() || token_->isCancelled()) return;
  token_->pause();
  Q_EMIT pausedChanged(true);
}

void BackgroundTask::resume() {
  if (!token_->isPaused()) return;
  token_->resume();
  Q_EMIT pausedChanged(false);
}

void BackgroundTask::finishOnOwnerThread() {
  if (state_ != State::Running) return;
  thread_->wait();
  if (token_->isPaused()) {  // cancelled while paused
    token_->resume();
    Q_EMIT pausedChanged(false);
  }
  state_ = outcome_;
  error_ = outcomeError_;
  switch (state_) {
    case State::Succeeded:
      Q_EMIT succeeded();
      break;
    case State::Cancelled:
      Q_EMIT cancelled();
      break;
    default:
      Q_EMIT failed(error_);
      break;
  }
  Q_EMIT ended();
}

}  // namespace gandl::ui
