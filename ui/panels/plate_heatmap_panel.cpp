#include "ui/panels/plate_heatmap_panel.h"

#include <QHelpEvent>

#include <QToolTip>

#include <QCheckBox>
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
constexpr int kLeftMargin = 34, kTitleHeight = 22, kColumnLabels = 16, kRightMargin = 70, kBottomMargin = 8;
constexpr int kTileTitle = 13, kTilePadding = 3;

// Standard plate shapes: the smallest that holds the last row and column seen.
std::pair<int, int> plateShape(int lastRow, int lastColumn) {
  if (lastRow < 8 && lastColumn <= 12) return {8, 12};
  if (lastRow < 16 && lastColumn <= 24) return {16, 24};
  if (lastRow < 32 && lastColumn <= 48) return {32, 48};
  return {lastRow + 1, lastColumn};
}
}  // namespace

PlateGrid::PlateGrid(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("plateGrid"));
  setMinimumSize(320, 220);
}

void PlateGrid::setPlates(QVector<Plate> plates, bool valueIsScore, QString title) {
  plates_ = std::move(plates);
  valueIsScore_ = valueIsScore;
  title_ = std::move(title);
  maxValue_ = 1.0;
  for (const auto& p : plates_)
    for (const auto& w : p.wells)
      if (std::isfinite(w.value)) maxValue_ = std::max(maxValue_, w.value);
  update();
}

const QVector<PlateGrid::Well>& PlateGrid::wells() const {
  static const QVector<Well> none;
  return plates_.isEmpty() ? none : plates_.front().wells;
}

void PlateGrid::setSelectedWells(const QHash<int, QSet<QString>>& wellIds) {
  for (auto& p : plates_) {
    const auto it = wellIds.find(p.index);
    for (auto& w : p.wells) w.selected = it != wellIds.end() && it->contains(w.wellId);
  }
  update();
}

// Tiles fill the area left of the colour scale; with several plates, the column count that gives
// the largest wells.
QRect PlateGrid::tileRect(const QRect& area, int slot) const {
  const QRect region = area.adjusted(0, kTitleHeight, -kRightMargin, -kBottomMargin);
  const int n = std::max<int>(1, static_cast<int>(plates_.size()));
  if (n == 1) return region;
  const int rows = plates_.front().rows, columns = plates_.front().columns;
  int bestColumns = 1;
  double bestSide = 0.0;
  for (int c = 1; c <= n; ++c) {
    const int r = (n + c - 1) / c;
    const double side = std::min((region.width() / double(c) - 2 * kTilePadding) / columns,
                                 (region.height() / double(r) - kTileTitle - 2 * kTilePadding) / rows);
    if (side > bestSide) bestSide = side, bestColumns = c;
  }
  const int tileRows = (n + bestColumns - 1) / bestColumns;
  const int w = region.width() / bestColumns, h = region.height() / tileRows;
  return QRect(region.left() + (slot % bestColumns) * w, region.top() + (slot / bestColumns) * h, w, h);
}

QRectF PlateGrid::cellRect(const QRect& tile, const Plate& plate, int row, int column) const {
  const QRectF grid = compact() ? QRectF(tile).adjusted(kTilePadding, kTileTitle, -kTilePadding, -kTilePadding)
                                : QRectF(tile).adjusted(kLeftMargin, kColumnLabels, 0, 0);
  const double side = std::min(grid.width() / plate.columns, grid.height() / plate.rows);
  return QRectF(grid.left() + (column - 1) * side, grid.top() + row * side, side, side);
}

QPointF PlateGrid::wellCentre(int row, int column, int slot) const {
  if (slot < 0 || slot >= plates_.size()) return {};
  return cellRect(tileRect(rect(), slot), plates_[slot], row, column).center();
}

void PlateGrid::paintPlate(QPainter& painter, const QRect& tile, const Plate& plate) const {
  const QColor text = palette().color(QPalette::WindowText);
  std::map<std::pair<int, int>, const Well*> byPosition;
  for (const auto& w : plate.wells) byPosition[{w.row, w.column}] = &w;
  const double side = cellRect(tile, plate, 0, 1).width();
  QFont small = painter.font();
  small.setPointSizeF(std::max(5.0, std::min(9.0, side * 0.35)));
  painter.setFont(small);
  painter.setPen(text);
  if (compact()) {
    QFont titleFont = painter.font();
    titleFont.setPointSizeF(7.0);
    painter.setFont(titleFont);
    const QRectF first = cellRect(tile, plate, 0, 1);
    painter.drawText(QRectF(first.left(), tile.top(), tile.width() - 2 * kTilePadding, kTileTitle),
                     Qt::AlignLeft | Qt::AlignVCenter, plate.title);
  } else {
    for (int c = 1; c <= plate.columns; ++c)
      if (plate.columns <= 24 || c % 2 == 1) {
        const QRectF cell = cellRect(tile, plate, 0, c);
        painter.drawText(QRectF(cell.left() - 4, cell.top() - kColumnLabels, cell.width() + 8, kColumnLabels),
                         Qt::AlignCenter, QString::number(c));
      }
  }
  for (int r = 0; r < plate.rows; ++r) {
    if (!compact()) {
      const QRectF first = cellRect(tile, plate, r, 1);
      painter.setPen(text);
      painter.drawText(QRectF(tile.left(), first.top(), first.left() - tile.left() - 3, first.height()),
                       Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(data::rowName(r)));
    }
    for (int c = 1; c <= plate.columns; ++c) {
      const QRectF cell = cellRect(tile, plate, r, c).adjusted(0.5, 0.5, -0.5, -0.5);
      const auto it = byPosition.find({r, c});
      if (it == byPosition.end()) {
        painter.setPen(compact() ? Qt::NoPen : QPen(palette().color(QPalette::Mid), 0.5));
        painter.setBrush(QBrush(palette().color(QPalette::Mid), compact() ? Qt::Dense6Pattern : Qt::BDiagPattern));
        painter.drawRect(cell);
        continue;
      }
      const Well& w = *it->second;
      const QColor fill = !std::isfinite(w.value) ? palette().color(QPalette::Mid)
                          : valueIsScore_         ? divergingColor(w.value)
                                                  : sequentialColor(w.value / maxValue_);
      if (w.selected)
        painter.setPen(QPen(palette().color(QPalette::Highlight), compact() ? 1.5 : 2.5));
      else
        painter.setPen(compact() ? Qt::NoPen : QPen(text, 0.5));
      painter.setBrush(fill);
      painter.drawRect(cell);
      if (w.control != 0 && side >= 8) {
        painter.setPen(QPen(Qt::black, 1));
        painter.drawText(cell, Qt::AlignCenter, w.control > 0 ? QStringLiteral("+") : QStringLiteral("-"));
      }
    }
  }
}

void PlateGrid::paintGrid(QPainter& painter, const QRect& area) const {
  const QColor text = palette().color(QPalette::WindowText);
  painter.fillRect(area, palette().color(QPalette::Base));
  painter.setPen(text);
  painter.drawText(QRect(area.left(), area.top() + 2, area.width(), kTitleHeight - 4), Qt::AlignHCenter, title_);
  const QFont base = painter.font();
  for (int i = 0; i < plates_.size(); ++i) {
    painter.setFont(base);
    paintPlate(painter, tileRect(area, i), plates_[i]);
  }
  painter.setFont(base);
  // One colour scale for every plate drawn.
  const QRectF scale(area.right() - kRightMargin + 14, area.top() + kTitleHeight + kColumnLabels, 14,
                     std::min(200.0, area.height() - kTitleHeight - kColumnLabels - 20.0));
  for (int i = 0; i < 50; ++i) {
    const double t = 1.0 - i / 49.0;
    const QColor c = valueIsScore_ ? divergingColor(-1.5 + 3.0 * t) : sequentialColor(t);
    painter.fillRect(
        QRectF(scale.left(), scale.top() + i * scale.height() / 50, scale.width(), scale.height() / 50 + 1), c);
  }
  painter.setPen(text);
  painter.drawText(QPointF(scale.right() + 3, scale.top() + 8),
                   valueIsScore_ ? QStringLiteral("+1.5") : QString::number(maxValue_, 'g', 3));
  painter.drawText(QPointF(scale.right() + 3, scale.bottom()),
                   valueIsScore_ ? QStringLiteral("-1.5") : QStringLiteral("0"));
}

void PlateGrid::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  paintGrid(painter, rect());
}

QString PlateGrid::wellTextAt(const QPointF& position) const {
  for (int i = 0; i < plates_.size(); ++i) {
    const QRect tile = tileRect(rect(), i);
    if (!tile.contains(position.toPoint())) continue;
    const Plate& plate = plates_[i];
    for (int r = 0; r < plate.rows; ++r)
      for (int c = 1; c <= plate.columns; ++c) {
        if (!cellRect(tile, plate, r, c).contains(position)) continue;
        const QString name =
            QString::fromStdString(data::rowName(r)) + QStringLiteral("%1").arg(c, 2, 10, QLatin1Char('0'));
        for (const auto& w : plate.wells) {
          if (w.row != r || w.column != c) continue;
          QString text = tr("%1, well %2: %3 = %4, %n site(s)", nullptr, w.sites)
                             .arg(plate.title, w.name, valueIsScore_ ? tr("mean E2 On score") : tr("sites"),
                                  std::isfinite(w.value) ? QString::number(w.value, 'g', 3) : tr("none"));
          if (w.control != 0) text += w.control > 0 ? tr(" (C+ control)") : tr(" (C- control)");
          return text;
        }
        return tr("%1, well %2: no site of this store (hatched)").arg(plate.title, name);
      }
  }
  return {};
}

bool PlateGrid::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(event);
    const QString text = wellTextAt(help->pos());
    if (text.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), text, this);
    return true;
  }
  return QWidget::event(event);
}

void PlateGrid::mouseReleaseEvent(QMouseEvent* event) {
  for (int i = 0; i < plates_.size(); ++i) {
    const QRect tile = tileRect(rect(), i);
    if (!tile.contains(event->position().toPoint())) continue;
    for (const auto& w : plates_[i].wells)
      if (cellRect(tile, plates_[i], w.row, w.column).contains(event->position())) {
        Q_EMIT wellClicked(plates_[i].index, w.wellId);
        return;
      }
  }
}

PlateHeatmapPanel::PlateHeatmapPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("plateHeatmapPanel"));
  plate_ = new QComboBox(this);
  plate_->setObjectName(QStringLiteral("plateBox"));
  plate_->setSizeAdjustPolicy(QComboBox::AdjustToContents);  // whole plate names, never "HRCE-1/P..."
  allPlates_ = new QCheckBox(tr("All plates"), this);
  allPlates_->setObjectName(QStringLiteral("allPlatesBox"));
  allPlates_->setToolTip(tr("Every plate of the screen side by side, on one colour scale"));
  value_ = new QComboBox(this);
  value_->setObjectName(QStringLiteral("heatmapValueBox"));
  value_->addItem(tr("mean E2 On score"), QStringLiteral("on"));
  value_->addItem(tr("sites per well"), QStringLiteral("sites"));
  zPrime_ = new QLabel(this);
  zPrime_->setObjectName(QStringLiteral("zPrimeLabel"));
  grid_ = new PlateGrid(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(plate_);
  bar->addWidget(allPlates_);
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
  connect(allPlates_, &QCheckBox::toggled, this, [this] { showPlate(plate_->currentIndex()); });
  connect(selection_, &SelectionModel::plateChanged, this, [this](int plate) {
    if (plate >= 0 && plate != plate_->currentIndex()) plate_->setCurrentIndex(plate);
  });
  connect(selection_, &SelectionModel::rowsChanged, this, &PlateHeatmapPanel::updateSelection);
  connect(grid_, &PlateGrid::wellClicked, this, [this](int plate, const QString& well) {
    if (plate != plate_->currentIndex()) {
      const QSignalBlocker block(plate_);  // keep the all-plates view; the selection says which plate
      plate_->setCurrentIndex(plate);
    }
    selection_->selectWell(plate, well);
  });
}

void PlateHeatmapPanel::updateSelection() {
  QHash<int, QSet<QString>> wells;
  if (analysis_)
    for (auto r : selection_->rows())
      wells[analysis_->sites.plateOfRow[r]].insert(QString::fromStdString(analysis_->sites.wellId[r]));
  grid_->setSelectedWells(wells);
}

void PlateHeatmapPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  {
    // Cells per site where the store has a count (viability: cytotoxic wells stand out).
    const QSignalBlocker blockValue(value_);
    const int cells = value_->findData(QStringLiteral("cells"));
    const bool hasCells = analysis_ && !analysis_->sites.cellCountSource.empty();
    if (hasCells && cells < 0)
      value_->addItem(tr("mean cell count"), QStringLiteral("cells"));
    else if (!hasCells && cells >= 0)
      value_->removeItem(cells);
    if (hasCells)
      value_->setItemData(value_->findData(QStringLiteral("cells")),
                          tr("Cells per site: %1").arg(QString::fromStdString(analysis_->sites.cellCountSource)),
                          Qt::ToolTipRole);
  }
  const QSignalBlocker block(plate_);
  plate_->clear();
  if (analysis_)
    for (const auto& name : analysis_->sites.plateNames) plate_->addItem(QString::fromStdString(name));
  showPlate(plate_->currentIndex());
}

QString PlateHeatmapPanel::zPrimeText() const { return zPrime_->text(); }

void PlateHeatmapPanel::showPlate(int plate) {
  if (!analysis_ || plate < 0) {
    grid_->setPlates({}, true, QString());
    zPrime_->clear();
    return;
  }
  const auto& s = analysis_->sites;
  const QString mode = value_->currentData().toString();
  const bool score = mode == QLatin1String("on") && analysis_->e2;
  const bool cells = mode == QLatin1String("cells") && !s.cellCount.empty();
  const int plateCount = static_cast<int>(s.plateNames.size());
  // Wells of every plate drawn, keyed by plate then well id (ordered: the CSV is stable).
  std::map<int, std::map<std::string, PlateGrid::Well>> wells;
  std::map<int, std::map<std::string, int>> finite;
  std::map<int, std::pair<int, int>> extent;  // last row, last column
  const bool all = allPlates_->isChecked();
  for (std::size_t r = 0; r < s.size(); ++r) {
    const int p = s.plateOfRow[r];
    if (!all && p != plate) continue;
    auto& w = wells[p][s.wellId[r]];
    if (w.sites == 0) {
      const auto position = data::parseWell(s.well[r]);
      w.wellId = QString::fromStdString(s.wellId[r]);
      w.name = QString::fromStdString(s.well[r]);
      w.row = position ? position->row : 0;
      w.column = position ? position->column : 1;
      w.control = s.role[r] == pipeline::SiteTable::Role::PositiveControl   ? 1
                  : s.role[r] == pipeline::SiteTable::Role::NegativeControl ? -1
                                                                            : 0;
      auto& [lastRow, lastColumn] = extent[p];
      lastRow = std::max(lastRow, w.row);
      lastColumn = std::max(lastColumn, w.column);
    }
    ++w.sites;
    const double value = score ? analysis_->e2->scores.on[r] : cells ? s.cellCount[r] : NAN;
    if (std::isfinite(value)) {
      w.value += value;
      ++finite[p][s.wellId[r]];
    }
  }
  auto zText = [this](int p) {
    for (const auto& q : analysis_->plateQuality)
      if (q.plate == p) {
        QString z = std::isfinite(q.zPrime) ? tr("Z' = %1").arg(q.zPrime, 0, 'f', 2) : tr("Z' undefined");
        if (q.flagged)
          z += tr(" (flagged%1)")
                   .arg(q.note.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(q.note));
        return z;
      }
    return tr("Z' not computed");
  };
  // One shape for all plates drawn: the smallest standard plate that holds every well.
  int lastRow = 0, lastColumn = 1;
  for (const auto& [p, e] : extent) lastRow = std::max(lastRow, e.first), lastColumn = std::max(lastColumn, e.second);
  const auto [rows, columns] = plateShape(lastRow, lastColumn);
  QVector<PlateGrid::Plate> plates;
  for (int p = 0; p < plateCount; ++p) {
    if (!all && p != plate) continue;
    PlateGrid::Plate drawn;
    drawn.index = p;
    drawn.rows = rows;
    drawn.columns = columns;
    const QString name = QString::fromStdString(s.plateNames[p]);
    drawn.title = all ? QStringLiteral("%1  %2").arg(name, zText(p)) : name;
    for (auto& [id, w] : wells[p]) {
      if (score || cells)
        w.value = finite[p][id] ? w.value / finite[p][id] : NAN;
      else
        w.value = w.sites;
      drawn.wells.push_back(w);
    }
    plates.push_back(std::move(drawn));
  }
  const QString z = zText(plate);
  zPrime_->setText(all ? tr("%1 plates; current: %2").arg(plates.size()).arg(z) : z);
  const QString title =
      all ? tr("All plates  %1").arg(value_->currentText())
          : QStringLiteral("%1  %2  %3").arg(QString::fromStdString(s.plateNames[plate]), value_->currentText(), z);
  grid_->setPlates(std::move(plates), score, title);
  updateSelection();
}

void PlateHeatmapPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  painter.setRenderHint(QPainter::Antialiasing);
  grid_->paintGrid(painter, QRect(QPoint(0, 0), size));
}

std::string PlateHeatmapPanel::figureCsv() const {
  std::ostringstream out;
  const QString mode = value_->currentData().toString();
  out << "plate,well_id,well,sites,control,"
      << (mode == QLatin1String("on")      ? "mean_on_score"
          : mode == QLatin1String("cells") ? "mean_cell_count"
                                           : "sites_per_well")
      << '\n';
  out.precision(7);
  for (const auto& p : grid_->plates()) {
    const std::string plate = analysis_ ? analysis_->sites.plateNames[p.index] : std::string();
    for (const auto& w : p.wells)
      out << csvField(plate) << ',' << w.wellId.toStdString() << ',' << w.name.toStdString() << ',' << w.sites << ','
          << (w.control > 0   ? "C+"
              : w.control < 0 ? "C-"
                              : "")
          << ',' << w.value << '\n';
  }
  return out.str();
}

}  // namespace gandl::ui
