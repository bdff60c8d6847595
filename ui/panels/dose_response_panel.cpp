#include "ui/panels/dose_response_panel.h"

#include <algorithm>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>
#include <sstream>

#include "ui/plots/qcustomplot.h"

#include "core/analysis/four_parameter_logistic.h"
#include "core/analysis/statistics.h"
#include "core/pipeline/analyze_task.h"
#include "ui/plot_style.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {

constexpr int kMaxOverlaid = 8;

// Deterministic jitter in decades, from the store row, so a redraw does not shuffle points.
double jitterDecades(std::size_t row) {
  const auto h = static_cast<std::uint32_t>(row * 2654435761u);
  return ((h % 1000) / 1000.0 - 0.5) * 0.12;
}

struct Band {
  double mean = NAN, sd = NAN;
  int count = 0;
};

Band controlBand(const pipeline::AnalysisResult& a, pipeline::SiteTable::Role role, const std::string& cellType) {
  std::vector<double> values;
  const auto& on = a.e2->scores.on;
  for (std::size_t r = 0; r < a.sites.size(); ++r)
    if (a.sites.role[r] == role && a.sites.cellType[r] == cellType && std::isfinite(on[r])) values.push_back(on[r]);
  Band band;
  band.count = static_cast<int>(values.size());
  if (!values.empty()) band.mean = analysis::mean(values);
  if (values.size() > 1) band.sd = analysis::sampleStandardDeviation(values);
  return band;
}

}  // namespace

DoseResponsePanel::DoseResponsePanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("doseResponsePanel"));
  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("doseResponsePlot"));
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMinimumSize(300, 200);
  summary_ = new QLabel(tr("Select a compound in the screen browser."), this);
  summary_->setObjectName(QStringLiteral("doseResponseSummary"));
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  compare_ = new QComboBox(this);
  compare_->setObjectName(QStringLiteral("compareEmbeddingBox"));
  compare_->setToolTip(tr("Overlay the curves of a second embedding of this store"));
  compare_->addItem(tr("no comparison"), QString());
  compare_->setEnabled(false);
  plateaus_ = new QComboBox(this);
  plateaus_->setObjectName(QStringLiteral("plateausBox"));
  plateaus_->addItem(tr("plateaus at the controls"), QStringLiteral("anchored"));
  plateaus_->addItem(tr("free plateaus"), QStringLiteral("free"));
  plateaus_->setToolTip(
      tr("4PL plateaus: anchored at the control levels (top +1 = C+, bottom -1 = C-; two parameters, the "
         "default) or fitted freely within [0, 2] and [-2, 0] (four parameters, as Prism's variable slope)"));
  auto* top = new QHBoxLayout;
  top->addWidget(summary_, 1);
  top->addWidget(plateaus_);
  top->addWidget(compare_);
  top->addWidget(makeExportButton(*this, this));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(top);
  layout->addWidget(plot_, 1);
  connect(selection_, &SelectionModel::compoundsChanged, this, &DoseResponsePanel::redraw);
  connect(compare_, &QComboBox::activated, this,
          [this] { Q_EMIT comparisonRequested(compare_->currentData().toString()); });
  connect(plateaus_, &QComboBox::activated, this,
          [this] { Q_EMIT plateausRequested(plateaus_->currentData().toString()); });
  redraw();
}

void DoseResponsePanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  redraw();
}

void DoseResponsePanel::setEmbeddings(const QStringList& names, const QString& primary, const QString& chosen) {
  const QSignalBlocker block(compare_);
  compare_->clear();
  compare_->addItem(tr("no comparison"), QString());
  for (const auto& name : names) {
    if (name == primary) continue;
    const auto label = analysis_ ? analysis_->embeddingLabels.find(name.toStdString())
                                 : std::map<std::string, std::string>::const_iterator();
    const bool known = analysis_ && label != analysis_->embeddingLabels.end() && label->second != name.toStdString();
    compare_->addItem(known ? tr("compare with %1: %2").arg(name, QString::fromStdString(label->second))
                            : tr("compare with %1").arg(name),
                      name);
  }
  const int index = compare_->findData(chosen);
  compare_->setCurrentIndex(index < 0 ? 0 : index);
  compare_->setEnabled(compare_->count() > 1);
}

void DoseResponsePanel::setComparison(std::shared_ptr<const pipeline::AnalysisResult> comparison) {
  comparison_ = std::move(comparison);
  redraw();
}

namespace {

struct Extent {
  double xMin = INFINITY, xMax = 0, yMin = -1.5, yMax = 1.5;
};

// One compound's sites, dose means +- SEM, 4PL and EC50 interval of one analysis; the comparison
// embedding draws hollow markers and a dashed curve, without sites or interval. Returns the
// summary text.
QString drawResponse(QCustomPlot& plot, const pipeline::AnalysisResult& a, const pipeline::CompoundOutcome& compound,
                     const QColor& base, const QString& name, bool secondary, Extent& extent) {
  const auto& r = compound.response;
  QVector<double> xs, ys;
  for (auto row : compound.rows) {
    const double conc = a.sites.concentrationMicromolar[row];
    const double on = a.e2->scores.on[row];
    if (!(conc > 0) || !std::isfinite(on)) continue;
    xs << conc * std::pow(10.0, jitterDecades(row));
    ys << on;
    extent.yMin = std::min(extent.yMin, on);
    extent.yMax = std::max(extent.yMax, on);
    extent.xMin = std::min(extent.xMin, conc);
    extent.xMax = std::max(extent.xMax, conc);
  }
  if (!secondary) {
    auto* sites = plot.addGraph();
    sites->setName(name + QObject::tr(" sites"));
    sites->setLineStyle(QCPGraph::lsNone);
    QColor faint = base;
    faint.setAlpha(110);
    sites->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, faint, faint, 4));
    sites->setData(xs, ys, false);
    sites->removeFromLegend();
  }

  QVector<double> mx, my, sem;
  for (const auto& d : r.doses) {
    mx << d.concentrationMicromolar;
    my << d.mean;
    sem << (std::isfinite(d.sem) ? d.sem : 0.0);
  }
  const Qt::PenStyle style = secondary ? Qt::DashLine : Qt::SolidLine;
  auto* means = plot.addGraph();
  means->setName(name);
  means->setLineStyle(r.hasFit ? QCPGraph::lsNone : QCPGraph::lsLine);
  means->setPen(QPen(base, 1.5, style));
  means->setScatterStyle(secondary ? QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(base, 1.5), Qt::NoBrush, 8)
                                   : QCPScatterStyle(QCPScatterStyle::ssSquare, base, base, 7));
  means->setData(mx, my, true);
  auto* bars = new QCPErrorBars(plot.xAxis, plot.yAxis);
  bars->setDataPlottable(means);
  bars->setData(sem);
  bars->setPen(QPen(base, 1.5, style));
  bars->removeFromLegend();

  QString line = QStringLiteral("<b>%1</b>: %2")
                     .arg(name.toHtmlEscaped(), QString::fromStdString(analysis::doseResponseStatusName(r.status)));
  if (r.hasFit) {
    const auto& f = r.fit;
    const double lo = std::min(f.testedLogMin, std::log10(extent.xMin)) - 0.5,
                 hi = std::max(f.testedLogMax, std::log10(extent.xMax)) + 0.5;
    QVector<double> cx, cy;
    for (int i = 0; i <= 200; ++i) {
      const double lx = lo + (hi - lo) * i / 200.0;
      cx << std::pow(10.0, lx);
      cy << analysis::fourParameterLogistic(lx, f.bottom, f.top, f.logEc50, f.hill);
    }
    auto* curve = plot.addGraph();
    curve->setName(name + QObject::tr(" 4PL"));
    curve->setPen(QPen(base, 2, style));
    curve->setData(cx, cy, true);
    curve->removeFromLegend();
    if (std::isfinite(r.ec50Micromolar)) {
      // A segment, not an infinite line: its ends are clamped to the axes once the ranges are known.
      auto* ec50 = new QCPItemLine(&plot);
      ec50->start->setCoords(r.ec50Micromolar, -1e9);
      ec50->end->setCoords(r.ec50Micromolar, 1e9);
      QPen ec50Pen(base, 1, secondary ? Qt::DotLine : Qt::DashLine);
      ec50Pen.setCapStyle(Qt::FlatCap);
      ec50->setPen(ec50Pen);
      if (!secondary) {
        // The interval is shaded within the tested doses only: beyond them the data say nothing
        // (an unbounded side is stated in the summary line).
        const double testedLow = std::pow(10.0, f.testedLogMin), testedHigh = std::pow(10.0, f.testedLogMax);
        const double low =
            std::clamp(r.ec50LowerMicromolar > 0 ? r.ec50LowerMicromolar : testedLow, testedLow, testedHigh);
        const double high = std::clamp(std::isfinite(r.ec50UpperMicromolar) ? r.ec50UpperMicromolar : testedHigh,
                                       testedLow, testedHigh);
        auto* interval = new QCPItemRect(&plot);
        interval->topLeft->setType(QCPItemPosition::ptPlotCoords);
        interval->topLeft->setCoords(low, 1e9);
        interval->bottomRight->setCoords(high, -1e9);
        QColor fill = base;
        fill.setAlpha(35);
        interval->setBrush(fill);
        interval->setPen(Qt::NoPen);
        interval->setClipToAxisRect(true);
      }
      line += QStringLiteral(", EC50 %1 µM [%2, %3]")
                  .arg(r.ec50Micromolar, 0, 'g', 3)
                  .arg(r.ec50LowerMicromolar > 0 ? QString::number(r.ec50LowerMicromolar, 'g', 3) : QStringLiteral("0"))
                  .arg(std::isfinite(r.ec50UpperMicromolar) ? QString::number(r.ec50UpperMicromolar, 'g', 3)
                                                            : QStringLiteral("inf"));
    }
  }
  if (r.hasFit) {
    // Which model: the plateaus are fitted (4 parameters) or anchored at the controls (2).
    if (r.fit.parameterCount == 4)
      line += QStringLiteral(", Hill %1, free plateaus: top %2, bottom %3")
                  .arg(r.fit.hill, 0, 'f', 2)
                  .arg(r.fit.top, 0, 'f', 2)
                  .arg(r.fit.bottom, 0, 'f', 2);
    else
      line += QStringLiteral(", Hill %1, plateaus at the controls (+1 / -1)").arg(r.fit.hill, 0, 'f', 2);
    if (std::isfinite(r.fit.rSquared)) line += QStringLiteral(", R² %1").arg(r.fit.rSquared, 0, 'f', 2);
  }
  if (std::isfinite(r.maxEfficacy)) line += QStringLiteral(", max efficacy %1").arg(r.maxEfficacy, 0, 'f', 2);
  if (!r.note.empty() && r.status != analysis::DoseResponseStatus::Fitted)
    line += QStringLiteral(" (%1)").arg(QString::fromStdString(r.note).toHtmlEscaped());
  return line;
}

const pipeline::CompoundOutcome* findCompound(const pipeline::AnalysisResult& a,
                                              const pipeline::CompoundOutcome& like) {
  for (const auto& c : a.compounds)
    if (c.compound == like.compound && c.cellType == like.cellType) return &c;
  return nullptr;
}

// What the embedding is ("GAN-DL FC-512 (demo, step 5000)"), not its storage name ("X").
QString embeddingLabel(const pipeline::AnalysisResult& a) {
  const auto it = a.embeddingLabels.find(a.embedding);
  return QString::fromStdString(it == a.embeddingLabels.end() ? a.embedding : it->second);
}

}  // namespace

void DoseResponsePanel::setPlateaus(const QString& plateaus) {
  const int index = plateaus_->findData(plateaus);
  if (index >= 0) plateaus_->setCurrentIndex(index);
}

void DoseResponsePanel::redraw() {
  plot_->clearPlottables();
  plot_->clearItems();
  shown_.clear();
  compared_.clear();
  applyPlotPalette(*plot_);
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  plot_->xAxis->setLabel(tr("concentration (µM)"));
  plot_->yAxis->setLabel(tr("E2 On score  (C- = -1, C+ = +1)"));
  plot_->legend->setVisible(true);
  plot_->legend->setFont(font());
  if (!analysis_ || !analysis_->e2 || selection_->compounds().empty()) {
    // Nothing shown: the summary says so instead of keeping the last compound's text.
    summary_->setText(analysis_ && !analysis_->e2 ? tr("This analysis has no E2 projection (see the log).")
                                                  : tr("Select a compound in the screen browser."));
    plot_->xAxis->setRange(0.01, 100);
    plot_->yAxis->setRange(-2, 2);
    plot_->replot();
    return;
  }
  const auto& a = *analysis_;
  const bool comparing =
      comparison_ && comparison_->e2 && comparison_->store == a.store && comparison_->sites.size() == a.sites.size();
  Extent extent;
  QStringList lines;
  std::string bandCellType;
  int colour = 0;
  for (int c : selection_->compounds()) {
    if (colour >= kMaxOverlaid) break;
    const auto& compound = a.compounds[c];
    const QColor base = categoricalColor(colour++);
    const QString name = QString::fromStdString(compound.compound + " (" + compound.cellType + ")");
    shown_ << name;
    if (bandCellType.empty()) bandCellType = compound.cellType;
    const QString suffix = comparing ? QStringLiteral(" [%1]").arg(embeddingLabel(a)) : QString();
    lines << drawResponse(*plot_, a, compound, base, name + suffix, false, extent);
    if (comparing)
      if (const auto* other = findCompound(*comparison_, compound)) {
        compared_ << name;
        lines << drawResponse(*plot_, *comparison_, *other, base,
                              name + QStringLiteral(" [%1]").arg(embeddingLabel(*comparison_)), true, extent);
      }
  }
  double xMin = extent.xMin, xMax = extent.xMax;
  if (!(xMin < xMax)) {
    xMin = xMin > 0 && std::isfinite(xMin) ? xMin / 10 : 0.01;
    xMax = xMin * 1000;
  }
  const double left = xMin / std::pow(10.0, 0.6), right = xMax * std::pow(10.0, 0.6);
  // Control bands for the first compound's cell type.
  const std::pair<pipeline::SiteTable::Role, QColor> controls[] = {
      {pipeline::SiteTable::Role::PositiveControl, QColor(40, 160, 60)},
      {pipeline::SiteTable::Role::NegativeControl, QColor(200, 50, 50)}};
  for (const auto& [role, colourOfBand] : controls) {
    const Band band = controlBand(a, role, bandCellType);
    const double level = role == pipeline::SiteTable::Role::PositiveControl ? 1.0 : -1.0;
    auto* levelLine = new QCPItemLine(plot_);
    levelLine->start->setCoords(1e-12, level);
    levelLine->end->setCoords(1e12, level);
    QPen levelPen(colourOfBand, 1, Qt::DotLine);
    levelPen.setCapStyle(Qt::FlatCap);
    levelLine->setPen(levelPen);
    if (band.count > 1 && std::isfinite(band.sd)) {
      auto* rect = new QCPItemRect(plot_);
      rect->topLeft->setCoords(1e-12, band.mean + band.sd);
      rect->bottomRight->setCoords(1e12, band.mean - band.sd);
      QColor fill = colourOfBand;
      fill.setAlpha(40);
      rect->setBrush(fill);
      rect->setPen(Qt::NoPen);
      rect->setClipToAxisRect(true);
    }
  }
  lines << tr("Bands: C+ (green) and C- (red) control sites of %1, mean +- sd; dotted lines at +1 and -1.")
               .arg(QString::fromStdString(bandCellType).toHtmlEscaped());
  if (comparing)
    lines << tr("Filled squares, solid curves: %1; hollow circles, dashed curves: %2.")
                 .arg(embeddingLabel(a).toHtmlEscaped(), embeddingLabel(*comparison_).toHtmlEscaped());
  summary_->setText(lines.join(QStringLiteral("<br>")));
  plot_->xAxis->setRange(left, right);
  const double pad = 0.05 * (extent.yMax - extent.yMin);
  plot_->yAxis->setRange(extent.yMin - pad, extent.yMax + pad);
  // Bands and intervals end at the axes: exported SVG and PDF do not clip to the axis rectangle,
  // so nothing may be drawn beyond it in the first place.
  const QCPRange xRange = plot_->xAxis->range(), yRange = plot_->yAxis->range();
  auto clampToAxes = [&](QCPItemPosition* p) {
    p->setCoords(std::clamp(p->coords().x(), xRange.lower, xRange.upper),
                 std::clamp(p->coords().y(), yRange.lower, yRange.upper));
  };
  for (int i = 0; i < plot_->itemCount(); ++i) {
    if (auto* rect = qobject_cast<QCPItemRect*>(plot_->item(i))) {
      clampToAxes(rect->topLeft);
      clampToAxes(rect->bottomRight);
    } else if (auto* segment = qobject_cast<QCPItemLine*>(plot_->item(i))) {
      // A level or EC50 wholly outside the view is not drawn at the edge.
      const QPointF from = segment->start->coords(), to = segment->end->coords();
      const bool outside =
          (from.y() == to.y() && !yRange.contains(from.y())) || (from.x() == to.x() && !xRange.contains(from.x()));
      segment->setVisible(!outside);
      clampToAxes(segment->start);
      clampToAxes(segment->end);
    }
  }
  plot_->replot();
}

void DoseResponsePanel::renderFigure(QCPPainter& painter, const QSize& size) {
  lastFigureAxes_ = renderPlot(*plot_, painter, size);
}

std::string DoseResponsePanel::figureCsv() const {
  std::ostringstream out;
  out << "compound,cell_type,embedding,site_id,concentration_uM,on_score\n";
  if (!analysis_ || !analysis_->e2) return out.str();
  out.precision(9);
  auto write = [&](const pipeline::AnalysisResult& a, const pipeline::CompoundOutcome& compound) {
    for (auto row : compound.rows)
      out << csvField(compound.compound) << ',' << csvField(compound.cellType) << ',' << csvField(a.embedding) << ','
          << a.sites.siteId[row] << ',' << a.sites.concentrationMicromolar[row] << ',' << a.e2->scores.on[row] << '\n';
  };
  for (int c : selection_->compounds()) {
    const auto& compound = analysis_->compounds[c];
    write(*analysis_, compound);
    if (comparison_ && comparison_->e2 &&
        compared_.contains(QString::fromStdString(compound.compound + " (" + compound.cellType + ")")))
      if (const auto* other = findCompound(*comparison_, compound)) write(*comparison_, *other);
  }
  return out.str();
}

}  // namespace gandl::ui
