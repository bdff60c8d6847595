#include "ui/panels/generated_images_panel.h"

#include "ui/background_task.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <map>
#include <memory>
#include <sstream>

#include "core/data/composite.h"
#include "core/pipeline/generator_sampling.h"
#include "ui/panels/site_viewer_panel.h"
#include "ui/plot_style.h"
#include "ui/plots/qcustomplot.h"
#include "ui/task_manager.h"

namespace gandl::ui {

namespace {
// A grid of composites, `columns` wide, with 2-pixel gaps.
QImage compositeGrid(const pipeline::GeneratedImages& g, int columns) {
  const int rows = (g.count + columns - 1) / columns;
  QImage grid(columns * (g.width + 2), rows * (g.height + 2), QImage::Format_RGB888);
  grid.fill(Qt::black);
  QPainter painter(&grid);
  const std::size_t per = static_cast<std::size_t>(g.channels) * g.height * g.width;
  // One display range for the whole grid: the run's training samples' when it has them (the
  // same picture as samples/step-N.png), else the percentiles of all the images together, as the
  // trainer takes them; never one stretch per image, which makes every image look saturated.
  auto styles = g.display;
  if (styles.empty()) {
    styles = data::rxrxChannelStyles();
    std::vector<data::ChannelPlanes> images;
    for (int i = 0; i < g.count; ++i)
      images.push_back({g.pixels.data() + i * per, static_cast<std::size_t>(g.height) * g.width});
    data::autoContrastAcross(styles, images, 1.0f, 99.8f);
  }
  for (int i = 0; i < g.count; ++i) {
    auto rgb = data::composite(g.pixels.data() + i * per, g.channels, g.height, g.width, styles);
    const QImage tile(rgb.data(), g.width, g.height, g.width * 3, QImage::Format_RGB888);
    painter.drawImage((i % columns) * (g.width + 2), (i / columns) * (g.height + 2), tile);
  }
  return grid;
}
}  // namespace

GeneratedImagesPanel::GeneratedImagesPanel(TaskManager* tasks, QWidget* parent) : QWidget(parent), tasks_(tasks) {
  setObjectName(QStringLiteral("generatedImagesPanel"));
  run_ = new QLineEdit(this);
  run_->setPlaceholderText(tr("run folder"));
  auto* browse = new QPushButton(tr("..."), this);
  steps_ = new QComboBox(this);
  steps_->setObjectName(QStringLiteral("stepBox"));
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  seed_->setPrefix(tr("seed "));
  count_ = new QSpinBox(this);
  count_->setRange(1, 64);
  count_->setValue(16);
  count_->setPrefix(tr("images "));
  truncation_ = new QDoubleSpinBox(this);
  truncation_->setRange(0.0, 1.5);
  truncation_->setSingleStep(0.1);
  truncation_->setValue(1.0);
  truncation_->setPrefix(tr("truncation "));
  auto* generate = new QPushButton(tr("Generate"), this);
  generate->setObjectName(QStringLiteral("generateButton"));
  caption_ = new QLabel(this);
  view_ = new ImageView(this);
  auto* top = new QHBoxLayout;
  top->addWidget(run_, 1);
  top->addWidget(browse);
  top->addWidget(steps_);
  auto* second = new QHBoxLayout;
  second->addWidget(seed_);
  second->addWidget(count_);
  second->addWidget(truncation_);
  second->addWidget(generate);
  second->addWidget(makeExportButton(*this, this));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(top);
  layout->addLayout(second);
  layout->addWidget(caption_);
  layout->addWidget(view_, 1);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), run_->text());
    if (!dir.isEmpty()) setRunDirectory(dir);
  });
  connect(run_, &QLineEdit::editingFinished, this, &GeneratedImagesPanel::refresh);
  connect(steps_, &QComboBox::currentIndexChanged, this, [this] {
    const QString file = steps_->currentData().toString();
    if (file.isEmpty()) return;
    view_->setImage(QImage(file), false);
    caption_->setText(tr("Training samples at step %1 (fixed latents, EMA generator)").arg(steps_->currentText()));
  });
  connect(generate, &QPushButton::clicked, this, &GeneratedImagesPanel::generate);
}

void GeneratedImagesPanel::setRunDirectory(const QString& path) {
  run_->setText(path);
  refresh();
}

QString GeneratedImagesPanel::runDirectory() const { return run_->text(); }

const QImage& GeneratedImagesPanel::shownImage() const { return view_->image(); }

void GeneratedImagesPanel::refresh() {
  const QDir samples(QDir(run_->text()).filePath(QStringLiteral("samples")));
  std::map<qint64, QString> files;
  static const QRegularExpression name(QStringLiteral("^step-(\\d+)\\.png$"));
  for (const auto& file : samples.entryList({QStringLiteral("step-*.png")}, QDir::Files)) {
    const auto match = name.match(file);
    if (match.hasMatch()) files[match.captured(1).toLongLong()] = samples.filePath(file);
  }
  const QSignalBlocker block(steps_);
  steps_->clear();
  for (const auto& [step, file] : files) steps_->addItem(QString::number(step), file);
  if (!files.empty()) {
    steps_->setCurrentIndex(steps_->count() - 1);
    view_->setImage(QImage(files.rbegin()->second), true);
    caption_->setText(tr("Training samples at step %1 (fixed latents, EMA generator)").arg(files.rbegin()->first));
  }
}

void GeneratedImagesPanel::generate() {
  const std::filesystem::path run = run_->text().toStdString();
  const auto seed = static_cast<std::uint64_t>(seed_->value());
  const int count = count_->value();
  const double truncation = truncation_->value();
  auto result = std::make_shared<pipeline::GeneratedImages>();
  caption_->setText(tr("generating %1 images...").arg(count));
  auto* task = tasks_->start(
      tr("Generate %1 images").arg(count),
      [=](const tasks::TaskContext&) { *result = pipeline::sampleGenerator(run.string(), seed, count, truncation); },
      [this, result, seed, truncation] {
        view_->setImage(compositeGrid(*result, 4), false);
        caption_->setText(
            tr("Generated at step %1, seed %2, truncation %3").arg(result->step).arg(seed).arg(truncation));
        Q_EMIT generated();
      });
  // A failure is said here, where the user looked, not only in the activity log.
  connect(task, &BackgroundTask::failed, this, [this](const QString& error) {
    caption_->setText(tr("<font color='red'>Generating failed: %1</font>").arg(error.toHtmlEscaped()));
    Q_EMIT failed(error);
  });
}

QString GeneratedImagesPanel::captionText() const { return caption_->text(); }

QSize GeneratedImagesPanel::figureSize() const {
  return view_->image().isNull() ? QSize(512, 512) : view_->image().size().scaled(900, 900, Qt::KeepAspectRatio);
}

void GeneratedImagesPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::black);
  if (!view_->image().isNull()) painter.drawImage(QRect(QPoint(0, 0), size), view_->image());
}

std::string GeneratedImagesPanel::figureCsv() const {
  std::ostringstream out;
  out << "run,step_or_seed,truncation,caption\n"
      << csvField(run_->text().toStdString()) << ',' << steps_->currentText().toStdString() << ','
      << truncation_->value() << ',' << csvField(caption_->text().toStdString()) << '\n';
  return out.str();
}

}  // namespace gandl::ui
