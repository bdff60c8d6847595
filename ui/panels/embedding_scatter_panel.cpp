#include "ui/panels/embedding_scatter_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include "ui/plots/qcustomplot.h"
#include <sstream>

#include "core/pipeline/analyze_task.h"
#include "ui/plot_style.h"
#include "ui/plots/scatter_canvas.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {
const pipeline::ProjectionOutcome* projectionNamed(const pipeline::AnalysisResult& a, const QString& name) {
  if (name == QLatin1String("C2")) return a.c2 ? &*a.c2 : nullptr;
  if (name == QLatin1String("PCA")) return a.pca ? &*a.pca : nullptr;
  return a.e2 ? &*a.e2 : nullptr;
}
}  // namespace

EmbeddingScatterPanel::EmbeddingScatterPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("embeddingScatterPanel"));
  canvas_ = new ScatterCanvas(this);
  canvas_->setObjectName(QStringLiteral("scatterCanvas"));
  space_ = new QComboBox(this);
  space_->setObjectName(QStringLiteral("spaceBox"));
  colour_ = new QComboBox(this);
  colour_->setObjectName(QStringLiteral("colourBox"));
  for (auto by : {ColourBy::Condition, ColourBy::CellType, ColourBy::Dose, ColourBy::Plate})
    colour_->addItem(colourByName(by), static_cast<int>(by));
  lasso_ = new QToolButton(this);
  lasso_->setText(tr("Lasso"));
  lasso_->setCheckable(true);
  lasso_->setToolTip(tr("Draw a lasso to select sites (or hold Shift while dragging)"));
  auto* fit = new QToolButton(this);
  fit->setText(tr("Fit"));
  fit->setToolTip(tr("Show every point (double-click does the same)"));
  auto* size = new QSpinBox(this);
  size->setObjectName(QStringLiteral("pointSize"));
  size->setRange(1, 12);
  size->setValue(canvas_->pointSize());
  size->setSuffix(tr(" px"));
  size->setToolTip(tr("Dot size"));
  auto* opacity = new QDoubleSpinBox(this);
  opacity->setObjectName(QStringLiteral("pointOpacity"));
  opacity->setRange(0.05, 1.0);
  opacity->setSingleStep(0.05);
  opacity->setValue(canvas_->pointOpacity());
  opacity->setToolTip(tr("Dot opacity: lower it to see where sites pile up"));
  connect(size, &QSpinBox::valueChanged, canvas_, &ScatterCanvas::setPointSize);
  connect(opacity, &QDoubleSpinBox::valueChanged, canvas_, &ScatterCanvas::setPointOpacity);
  status_ = new QLabel(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Space"), this));
  bar->addWidget(space_);
  bar->addWidget(new QLabel(tr("Colour by"), this));
  bar->addWidget(colour_);
  bar->addWidget(lasso_);
  bar->addWidget(fit);
  bar->addWidget(size);
  bar->addWidget(opacity);
  bar->addWidget(status_, 1);
  bar->addWidget(makeExportButton(*this, this));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(canvas_, 1);

  connect(space_, &QComboBox::currentIndexChanged, this, &EmbeddingScatterPanel::rebuildPoints);
  connect(colour_, &QComboBox::currentIndexChanged, this, &EmbeddingScatterPanel::recolour);
  connect(lasso_, &QToolButton::toggled, this,
          [this](bool on) { canvas_->setMode(on ? ScatterCanvas::Mode::Lasso : ScatterCanvas::Mode::Pan); });
  connect(fit, &QToolButton::clicked, canvas_, &ScatterCanvas::fitView);
  connect(canvas_, &ScatterCanvas::pointClicked, selection_, &SelectionModel::selectSite);
  connect(canvas_, &ScatterCanvas::lassoFinished, selection_, &SelectionModel::selectRows);
  connect(selection_, &SelectionModel::rowsChanged, this, [this] {
    canvas_->setSelection(selection_->rows());
    status_->setText(selection_->rows().empty() ? QString() : tr("%1 selected").arg(selection_->rows().size()));
  });
  connect(selection_, &SelectionModel::currentRowChanged, canvas_, &ScatterCanvas::setCurrent);
  canvas_->setTooltipText([this](int row) -> QString {
    if (!analysis_) return {};
    const auto& s = analysis_->sites;
    QString text = QStringLiteral("<b>%1</b><br>%2, %3")
                       .arg(QString::fromStdString(s.siteId[row]), QString::fromStdString(s.cellType[row]),
                            QString::fromStdString(s.diseaseCondition[row]));
    if (!s.treatment[row].empty())
      text += QStringLiteral("<br>%1 %2 µM")
                  .arg(QString::fromStdString(s.treatment[row]))
                  .arg(s.concentrationMicromolar[row], 0, 'g', 3);
    const auto* p = projectionNamed(*analysis_, spaceName());
    if (p)
      text += QStringLiteral("<br>On %1, Off %2").arg(p->scores.on[row], 0, 'f', 3).arg(p->scores.off[row], 0, 'f', 3);
    return text;
  });
}

QString EmbeddingScatterPanel::spaceName() const { return space_->currentText(); }

void EmbeddingScatterPanel::setSpace(const QString& name) {
  const int i = space_->findText(name);
  if (i >= 0) space_->setCurrentIndex(i);
}

void EmbeddingScatterPanel::setColourBy(ColourBy by) {
  colour_->setCurrentIndex(colour_->findData(static_cast<int>(by)));
}

ColourBy EmbeddingScatterPanel::colourBy() const { return static_cast<ColourBy>(colour_->currentData().toInt()); }

void EmbeddingScatterPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  const QString previous = space_->currentText();
  {
    const QSignalBlocker block(space_);
    space_->clear();
    if (analysis_ && analysis_->e2) space_->addItem(QStringLiteral("E2"));
    if (analysis_ && analysis_->c2) space_->addItem(QStringLiteral("C2"));
    if (analysis_ && analysis_->pca) space_->addItem(QStringLiteral("PCA"));
    const int i = space_->findText(previous);
    if (i >= 0) space_->setCurrentIndex(i);
  }
  rebuildPoints();
}

void EmbeddingScatterPanel::rebuildPoints() {
  const auto* p = analysis_ ? projectionNamed(*analysis_, spaceName()) : nullptr;
  std::vector<float> x, y;
  if (p && p == (analysis_->pca ? &*analysis_->pca : nullptr)) {
    x.assign(p->scores.on.data(), p->scores.on.data() + p->scores.on.size());
    y.assign(p->scores.off.data(), p->scores.off.data() + p->scores.off.size());
    canvas_->setAxisLabels(tr("PC1 of the embedding"),
                           tr("PC2 (%1% of the variance)").arg(100.0 * p->axes.offExplainedVariance, 0, 'f', 1));
  } else if (p) {
    x.assign(p->scores.on.data(), p->scores.on.data() + p->scores.on.size());
    y.assign(p->scores.off.data(), p->scores.off.data() + p->scores.off.size());
    canvas_->setAxisLabels(tr("%1 On  (%2 = +1, %3 = -1)")
                               .arg(QString::fromStdString(p->name), QString::fromStdString(p->positiveLabel),
                                    QString::fromStdString(p->negativeLabel)),
                           tr("%1 Off").arg(QString::fromStdString(p->name)));
  } else {
    canvas_->setAxisLabels(tr("On"), tr("Off"));
  }
  canvas_->setPoints(std::move(x), std::move(y));
  recolour();
  canvas_->setSelection(selection_->rows());
  canvas_->setCurrent(selection_->currentRow());
}

void EmbeddingScatterPanel::recolour() {
  if (!analysis_) return;
  colouring_ = colourSites(analysis_->sites, colourBy());
  QVector<ScatterCanvas::Category> categories;
  for (int i = 0; i < colouring_.names.size(); ++i) categories.push_back({colouring_.names[i], colouring_.colours[i]});
  canvas_->setCategories(colouring_.categoryOfRow, categories);
}

QString EmbeddingScatterPanel::figureName() const {
  return QStringLiteral("scatter_") + (spaceName().isEmpty() ? QStringLiteral("E2") : spaceName());
}

void EmbeddingScatterPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  canvas_->renderFigure(painter, size);
}

std::string EmbeddingScatterPanel::figureCsv() const {
  std::ostringstream out;
  out << "site_id,on,off," << colourByName(colourBy()).replace(QLatin1Char(' '), QLatin1Char('_')).toStdString()
      << '\n';
  const auto* p = analysis_ ? projectionNamed(*analysis_, spaceName()) : nullptr;
  if (!p) return out.str();
  out.precision(7);
  for (std::size_t r = 0; r < analysis_->sites.size(); ++r)
    out << analysis_->sites.siteId[r] << ',' << p->scores.on[r] << ',' << p->scores.off[r] << ','
        << csvField(colouring_.names.value(colouring_.categoryOfRow[r]).toStdString()) << '\n';
  return out.str();
}

}  // namespace gandl::ui
