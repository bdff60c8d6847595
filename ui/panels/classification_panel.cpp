#include "ui/panels/classification_panel.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "ui/plots/qcustomplot.h"

namespace gandl::ui {
namespace {

// Wilson's score interval (95%) of a proportion p over n trials.
std::pair<double, double> wilsonInterval(double p, int n) {
  if (n <= 0) return {0.0, 1.0};
  const double z = 1.959964, z2 = z * z, nn = static_cast<double>(n);
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace

ClassificationPanel::ClassificationPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("classificationPanel"));
  accuracy_ = new QTableWidget(this);
  accuracy_->setObjectName(QStringLiteral("accuracyTable"));
  accuracy_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  accuracy_->setSelectionBehavior(QAbstractItemView::SelectRows);
  accuracy_->verticalHeader()->hide();
  confusion_ = new QTableWidget(this);
  confusion_->setObjectName(QStringLiteral("confusionTable"));
  confusion_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  task_ = new QComboBox(this);
  task_->setObjectName(QStringLiteral("taskBox"));
  mode_ = new QComboBox(this);
  mode_->addItems({tr("counts and percent"), tr("counts"), tr("percent of true class")});
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Confusion matrix of"), this));
  bar->addWidget(task_, 1);
  bar->addWidget(mode_);
  bar->addWidget(makeExportButton(*this, this));
  auto* lower = new QWidget(this);
  auto* lowerLayout = new QVBoxLayout(lower);
  lowerLayout->setContentsMargins(0, 0, 0, 0);
  lowerLayout->addLayout(bar);
  lowerLayout->addWidget(confusion_, 1);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(accuracy_);
  splitter->addWidget(lower);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(splitter);
  connect(task_, &QComboBox::currentIndexChanged, this, &ClassificationPanel::showConfusion);
  connect(mode_, &QComboBox::currentIndexChanged, this, [this] { showConfusion(task_->currentIndex()); });
  connect(accuracy_, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (row >= 0) task_->setCurrentIndex(row);
  });
  accuracy_->setToolTip(tr("Double-click a row to let its embedding drive the scatter, heatmap and dose-response"));
  connect(accuracy_, &QTableWidget::cellDoubleClicked, this, [this](int row) {
    if (analysis_ && row >= 0 && row < static_cast<int>(analysis_->classifications.size()))
      Q_EMIT embeddingRequested(QString::fromStdString(analysis_->classifications[row].embedding));
  });
}

void ClassificationPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  const QStringList headers = {tr("Task"),       tr("Subset"),     tr("Embedding"), tr("Train wells"),
                               tr("Test wells"), tr("Test sites"), tr("Accuracy"),  tr("Balanced accuracy"),
                               tr("95% CI"),     tr("Chance"),     tr("C")};
  accuracy_->clear();
  accuracy_->setColumnCount(headers.size());
  accuracy_->setHorizontalHeaderLabels(headers);
  const QSignalBlocker block(task_);
  task_->clear();
  const int n = analysis_ ? static_cast<int>(analysis_->classifications.size()) : 0;
  accuracy_->setRowCount(n);
  for (int i = 0; i < n; ++i) {
    const auto& c = analysis_->classifications[i];
    const auto label = analysis_->embeddingLabels.find(c.embedding);
    const QString embedding =
        QString::fromStdString(label == analysis_->embeddingLabels.end() || label->second == c.embedding
                                   ? c.embedding
                                   : label->second + " [" + c.embedding + "]");
    // Wilson's 95% interval of the balanced accuracy over the held-out sites, and what guessing
    // the most likely of k classes would give (1 / k balanced).
    const auto [low, high] = wilsonInterval(c.balancedAccuracy, c.nTestSites);
    const int classes = static_cast<int>(c.confusion.names.size());
    const QStringList cells = {
        QString::fromStdString(c.task),
        QString::fromStdString(c.subset),
        embedding,
        QString::number(c.nTrainWells),
        QString::number(c.nTestWells),
        QString::number(c.nTestSites),
        QString::number(c.accuracy, 'f', 3),
        QString::number(c.balancedAccuracy, 'f', 3),
        c.nTestSites > 0 ? QStringLiteral("%1-%2").arg(low, 0, 'f', 2).arg(high, 0, 'f', 2) : QString(),
        classes > 0 ? QString::number(1.0 / classes, 'f', 2) : QString(),
        QString::number(c.c, 'g', 3)};
    for (int col = 0; col < cells.size(); ++col) accuracy_->setItem(i, col, new QTableWidgetItem(cells[col]));
    task_->addItem(QStringLiteral("%1 / %2 (%3)").arg(cells[0], cells[1], embedding));
  }
  accuracy_->resizeColumnsToContents();
  showConfusion(task_->currentIndex());
}

void ClassificationPanel::showConfusion(int index) {
  confusion_->clear();
  confusion_->setRowCount(0);
  confusion_->setColumnCount(0);
  if (!analysis_ || index < 0 || index >= static_cast<int>(analysis_->classifications.size())) return;
  const auto& m = analysis_->classifications[index].confusion;
  const int k = static_cast<int>(m.labels.size());
  const Eigen::MatrixXd fractions = m.rowFractions();
  confusion_->setRowCount(k);
  confusion_->setColumnCount(k);
  QStringList names;
  for (int i = 0; i < k; ++i)
    names << QString::fromStdString(i < static_cast<int>(m.names.size()) ? m.names[i] : std::to_string(m.labels[i]));
  QStringList truths, predictions;
  for (const auto& name : names) {
    truths << tr("true %1").arg(name);
    predictions << tr("predicted %1").arg(name);
  }
  confusion_->setVerticalHeaderLabels(truths);
  confusion_->setHorizontalHeaderLabels(predictions);
  for (int r = 0; r < k; ++r)
    for (int c = 0; c < k; ++c) {
      const int count = m.counts(r, c);
      const double percent = 100.0 * fractions(r, c);
      QString text;
      switch (mode_->currentIndex()) {
        case 1:
          text = QString::number(count);
          break;
        case 2:
          text = QStringLiteral("%1%").arg(percent, 0, 'f', 1);
          break;
        default:
          text = QStringLiteral("%1 (%2%)").arg(count).arg(percent, 0, 'f', 1);
      }
      auto* item = new QTableWidgetItem(text);
      item->setTextAlignment(Qt::AlignCenter);
      const int shade = static_cast<int>(255 - 150 * fractions(r, c));
      item->setBackground(r == c ? QColor(shade, 255, shade) : QColor(255, shade, shade));
      item->setForeground(Qt::black);
      confusion_->setItem(r, c, item);
    }
  confusion_->resizeColumnsToContents();
}

void ClassificationPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  painter.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Base));
  if (!analysis_ || task_->currentIndex() < 0) return;
  const auto& m = analysis_->classifications[task_->currentIndex()].confusion;
  const int k = static_cast<int>(m.labels.size());
  const Eigen::MatrixXd fractions = m.rowFractions();
  const int left = 170, top = 70;
  const double cell =
      std::min((size.width() - left - 20.0) / std::max(1, k), (size.height() - top - 20.0) / std::max(1, k));
  painter.setPen(palette().color(QPalette::WindowText));
  painter.drawText(QRect(0, 5, size.width(), 24), Qt::AlignHCenter, task_->currentText());
  for (int i = 0; i < k; ++i) {
    const QString name =
        QString::fromStdString(i < static_cast<int>(m.names.size()) ? m.names[i] : std::to_string(m.labels[i]));
    painter.drawText(QRectF(5, top + i * cell, left - 10, cell), Qt::AlignRight | Qt::AlignVCenter, tr("true ") + name);
    painter.drawText(QRectF(left + i * cell, top - 30, cell, 26), Qt::AlignCenter, tr("pred. ") + name);
  }
  for (int r = 0; r < k; ++r)
    for (int c = 0; c < k; ++c) {
      const QRectF box(left + c * cell, top + r * cell, cell, cell);
      const int shade = static_cast<int>(255 - 150 * fractions(r, c));
      painter.fillRect(box, r == c ? QColor(shade, 255, shade) : QColor(255, shade, shade));
      painter.setPen(Qt::black);
      painter.drawRect(box);
      painter.drawText(box, Qt::AlignCenter,
                       QStringLiteral("%1\n%2%").arg(m.counts(r, c)).arg(100.0 * fractions(r, c), 0, 'f', 1));
    }
}

std::string ClassificationPanel::figureCsv() const {
  if (!analysis_ || task_->currentIndex() < 0) return "true,predicted,count\n";
  return pipeline::confusionCsv(analysis_->classifications[task_->currentIndex()]);
}

}  // namespace gandl::ui
