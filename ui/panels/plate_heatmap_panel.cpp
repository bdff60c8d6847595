#include "ui/panels/plate_heatmap_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSet>
#include <QVBoxLayout>
#include <cmath>
#include <map>
#include <sstream>

#include "core/data/well.h"
#include "core/pipeline/analyze_task.h"
#include "ui/plot_style.h"
#include "ui/plots/qcustomplot.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {
constexpr int kLeftMargin = 34, kTopMargin = 40, kRightMargin = 70, kBottomMargin = 8;

// Standard plate shapes: the smallest that holds the last row and column seen.
std::pair<int, int> plateShape(int lastRow, int lastColumn) {
  if (lastRow < 8 && lastColumn <= 12) return {8, 12};
  if (lastRow < 16 && lastColumn <= 24) return {16, 24};
  if (lastRow < 32 && lastColumn <= 48) return {32, 48};
  return {lastRow + 1, lastColumn};
}
}  // namespace

PlateGrid::PlateGrid(QWidget* parent) : QWidget(parent) { setMinimumSize(320, 220); }

void PlateGrid::setPlate(QVector<Well> wells, int rows, int columns, bool valueIsScore, QString title) {
  wells_ = std::move(wells);
  rows_ = rows;
  columns_ = columns;
  valueIsScore_ = valueIsScore;
  title_ = std::move(title);
  maxValue_ = 1.0;
  for (const auto& w : wells_) maxValue_ = std::max(maxValue_, w.value);
  update();
}

void PlateGrid::setSelectedWells(const QSet<QString>& wellIds) {
  for (auto& w : wells_) w.selected = wellIds.contains(w.wellId);
  update();
}

QRectF PlateGrid::cellRect(const QRect& area, int row, int column) const {
  const QRectF grid = QRectF(area).adjusted(kLeftMargin, kTopMargin, -kRightMargin, -kBottomMargin);
  const double side = std::min(grid.width() / columns_, grid.height() / rows_);
  return QRectF(grid.left() + (column - 1) * side, grid.top() + row * side, side, side);
}

QPointF PlateGrid::wellCentre(int row, int column) const { return cellRect(rect(), row, column).center(); }

void PlateGrid::paintGrid(QPainter& painter, const QRect& area) const {
  const QColor text = palette().color(QPalette::WindowText);
  painter.fillRect(area, palette().color(QPalette::Base));
  painter.setPen(text);
  painter.drawText(QRect(area.left(), area.top() + 2, area.width(), 18), Qt::AlignHCenter, title_);
  std::map<std::pair<int, int>, const Well*> byPosition;
  for (const auto& w : wells_) byPosition[{w.row, w.column}] = &w;
  const double side = cellRect(area, 0, 1).width();
  QFont small = painter.font();
  small.setPointSizeF(std::max(5.0, std::min(9.0, side * 0.35)));
  painter.setFont(small);
  for (int c = 1; c <= columns_; ++c)
    if (columns_ <= 24 || c % 2 == 1)
      painter.drawText(cellRect(area, -1, c).adjusted(-4, 0, 4, 0), Qt::AlignCenter, QString::number(c));
  for (int r = 0; r < rows_; ++r) {
    const QRectF label = cellRect(area, r, 1).translated(-side - 2, 0);
    painter.drawText(label.adjusted(-8, 0, 0, 0), Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(data::rowName(r)));
    for (int c = 1; c <= columns_; ++c) {
      const QRectF cell = cellRect(area, r, c).adjusted(1, 1, -1, -1);
      const auto it = byPosition.find({r, c});
      if (it == byPosition.end()) {
        painter.setPen(QPen(palette().color(QPalette::Mid), 0.5));
        painter.setBrush(QBrush(palette().color(QPalette::Mid), Qt::BDiagPattern));
        painter.drawRect(cell);
        continue;
      }
      const Well& w = *it->second;
      const QColor fill = valueIsScore_ ? divergingColor(w.value) : sequentialColor(w.value / maxValue_);
      painter.setPen(w.selected ? QPen(palette().color(QPalette::Highlight), 2.5) : QPen(text, 0.5));
      painter.setBrush(fill);
      painter.drawRect(cell);
      if (w.control != 0) {
        painter.setPen(QPen(Qt::black, 1));
        painter.drawText(cell, Qt::AlignCenter, w.control > 0 ? QStringLiteral("+") : QStringLiteral("-"));
      }
    }
  }
  // Colour scale.
  const QRectF scale(area.right() - kRightMargin + 14, area.top() + kTopMargin, 14, std::min(200.0, area.height() - kTopMargin - 20.0));
  for (int i = 0; i < 50; ++i) {
    const double t = 1.0 - i / 49.0;
    const QColor c = valueIsScore_ ? divergingColor(-1.5 + 3.0 * t) : sequentialColor(t);
    painter.fillRect(QRectF(scale.left(), scale.top() + i * scale.height() / 50, scale.width(), scale.height() / 50 + 1), c);
  }
  painter.setPen(text);
  painter.drawText(QPointF(scale.right() + 3, scale.top() + 8), valueIsScore_ ? QStringLiteral("+1.5") : QString::number(maxValue_, 'g', 3));
  painter.drawText(QPointF(scale.right() + 3, scale.bottom()), valueIsScore_ ? QStringLiteral("-1.5") : QStringLiteral("0"));
}

void PlateGrid::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  paintGrid(painter, rect());
}

void PlateGrid::mouseReleaseEvent(QMouseEvent* event) {
  for (const auto& w : wells_)
    if (cellRect(rect(), w.row, w.column).contains(event->position())) {
      Q_EMIT wellClicked(w.wellId);
      return;
    }
}

PlateHeatmapPanel::PlateHeatmapPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("plateHeatmapPanel"));
  plate_ = new QComboBox(this);
  plate_->setObjectName(QStringLiteral("plateBox"));
  value_ = new QComboBox(this);
  value_->addItem(tr("mean E2 On score"));
  value_->addItem(tr("sites per well"));
  zPrime_ = new QLabel(this);
  zPrime_->setObjectName(QStringLiteral("zPrimeLabel"));
  grid_ = new PlateGrid(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(plate_);
  bar->addWidget(value_);
  bar->addWidget(zPrime_, 1);
  bar->addWidget(makeExportButton(*this, this));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(grid_, 1);
  connect(plate_, &QComboBox::currentIndexChanged, this, [this](int i) {
    showPlate(i);
    selection_->selectPlate(i);
  });
  connect(value_, &QComboBox::currentIndexChanged, this, [this] { showPlate(plate_->currentIndex()); });
  connect(selection_, &SelectionModel::plateChanged, this, [this](int plate) {
    if (plate >= 0 && plate != plate_->currentIndex()) plate_->setCurrentIndex(plate);
  });
  connect(selection_, &SelectionModel::rowsChanged, this, [this] {
    QSet<QString> wells;
    if (analysis_)
      for (auto r : selection_->rows())
        if (analysis_->sites.plateOfRow[r] == plate_->currentIndex()) wells.insert(QString::fromStdString(analysis_->sites.wellId[r]));
    grid_->setSelectedWells(wells);
  });
  connect(grid_, &PlateGrid::wellClicked, this,
          [this](const QString& well) { selection_->selectWell(plate_->currentIndex(), well); });
}

void PlateHeatmapPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  const QSignalBlocker block(plate_);
  plate_->clear();
  if (analysis_)
    for (const auto& name : analysis_->sites.plateNames) plate_->addItem(QString::fromStdString(name));
  showPlate(plate_->currentIndex());
}

QString PlateHeatmapPanel::zPrimeText() const { return zPrime_->text(); }

void PlateHeatmapPanel::showPlate(int plate) {
  if (!analysis_ || plate < 0) {
    grid_->setPlate({}, 8, 12, true, QString());
    zPrime_->clear();
    return;
  }
  const auto& s = analysis_->sites;
  const bool score = value_->currentIndex() == 0 && analysis_->e2;
  std::map<std::string, PlateGrid::Well> wells;
  std::map<std::string, int> finite;
  int lastRow = 0, lastColumn = 1;
  for (std::size_t r = 0; r < s.size(); ++r) {
    if (s.plateOfRow[r] != plate) continue;
    auto& w = wells[s.wellId[r]];
    if (w.sites == 0) {
      const auto position = data::parseWell(s.well[r]);
      w.wellId = QString::fromStdString(s.wellId[r]);
      w.name = QString::fromStdString(s.well[r]);
      w.row = position ? position->row : 0;
      w.column = position ? position->column : 1;
      w.control = s.role[r] == pipeline::SiteTable::Role::PositiveControl   ? 1
                  : s.role[r] == pipeline::SiteTable::Role::NegativeControl ? -1
                                                                             : 0;
      lastRow = std::max(lastRow, w.row);
      lastColumn = std::max(lastColumn, w.column);
    }
    ++w.sites;
    if (score && std::isfinite(analysis_->e2->scores.on[r])) {
      w.value += analysis_->e2->scores.on[r];
      ++finite[s.wellId[r]];
    }
  }
  QVector<PlateGrid::Well> list;
  for (auto& [id, w] : wells) {
    if (score)
      w.value = finite[id] ? w.value / finite[id] : NAN;
    else
      w.value = w.sites;
    list.push_back(w);
  }
  const auto [rows, columns] = plateShape(lastRow, lastColumn);
  QString z = tr("Z' not computed");
  for (const auto& q : analysis_->plateQuality)
    if (q.plate == plate) {
      z = std::isfinite(q.zPrime) ? tr("Z' = %1").arg(q.zPrime, 0, 'f', 2) : tr("Z' undefined");
      if (q.flagged) z += tr(" (flagged%1)").arg(q.note.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(q.note));
    }
  zPrime_->setText(z);
  grid_->setPlate(list, rows, columns, score,
                  QStringLiteral("%1  %2  %3").arg(QString::fromStdString(s.plateNames[plate]), value_->currentText(), z));
}

void PlateHeatmapPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  painter.setRenderHint(QPainter::Antialiasing);
  grid_->paintGrid(painter, QRect(QPoint(0, 0), size));
}

std::string PlateHeatmapPanel::figureCsv() const {
  std::ostringstream out;
  out << "plate,well_id,well,sites,control," << (value_->currentIndex() == 0 ? "mean_on_score" : "sites_per_well") << '\n';
  out.precision(7);
  for (const auto& w : grid_->wells())
    out << csvField(plate_->currentText().toStdString()) << ',' << w.wellId.toStdString() << ',' << w.name.toStdString() << ','
        << w.sites << ',' << (w.control > 0 ? "C+" : w.control < 0 ? "C-" : "") << ',' << w.value << '\n';
  return out.str();
}

}  // namespace gandl::ui
