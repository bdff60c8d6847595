#include "ui/panels/screen_browser_panel.h"

#include "core/pipeline/analysis_report.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/compound_table_model.h"
#include "ui/screen_tree_model.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {
// Guards against the echo of our own selection change coming back through the model.
struct Updating {
  explicit Updating(bool& flag) : flag_(flag) { flag_ = true; }
  ~Updating() { flag_ = false; }
  bool& flag_;
};
}  // namespace

ScreenBrowserPanel::ScreenBrowserPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("screenBrowserPanel"));
  treeModel_ = new ScreenTreeModel(this);
  tree_ = new QTreeView(this);
  tree_->setObjectName(QStringLiteral("screenTree"));
  tree_->setModel(treeModel_);
  tree_->setUniformRowHeights(true);
  tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

  compounds_ = new CompoundTableModel(this);
  proxy_ = new CompoundFilterModel(this);
  proxy_->setSourceModel(compounds_);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("compoundTable"));
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(CompoundTableModel::Rank, Qt::AscendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("compoundFilter"));
  filter_->setPlaceholderText(tr("Filter compounds (regular expression)"));
  filter_->setClearButtonEnabled(true);
  status_ = new QComboBox(this);
  status_->setObjectName(QStringLiteral("statusFilter"));
  status_->addItem(tr("Any status"), QString());
  for (const char* s : {"fitted", "ambiguous", "cytotoxic", "inactive", "insufficient"})
    status_->addItem(QString::fromLatin1(s), QString::fromLatin1(s));
  auto* exportCsv = new QPushButton(tr("CSV..."), this);
  exportCsv->setToolTip(tr("Export the compound table as CSV"));

  auto* bottom = new QWidget(this);
  auto* filterRow = new QHBoxLayout;
  filterRow->addWidget(filter_, 1);
  filterRow->addWidget(status_);
  filterRow->addWidget(exportCsv);
  auto* bottomLayout = new QVBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  bottomLayout->addLayout(filterRow);
  bottomLayout->addWidget(table_);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(tree_);
  splitter->addWidget(bottom);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);

  connect(filter_, &QLineEdit::textChanged, proxy_,
          [this](const QString& text) { proxy_->setFilterRegularExpression(text); });
  connect(status_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setStatus(status_->currentData().toString()); });
  connect(exportCsv, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export compounds"), QStringLiteral("compounds.csv"),
                                                      QStringLiteral("CSV (*.csv)"));
    if (path.isEmpty()) return;
    try {
      writeTextFile(path, compoundCsv());
    } catch (const std::exception& e) {
      QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
    }
  });
  connect(tree_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ScreenBrowserPanel::onTreeSelection);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &ScreenBrowserPanel::onTableSelection);
  connect(selection_, &SelectionModel::currentRowChanged, this, &ScreenBrowserPanel::showCurrentSite);
  connect(selection_, &SelectionModel::compoundsChanged, this, &ScreenBrowserPanel::showCompounds);
}

std::string ScreenBrowserPanel::compoundCsv() const {
  // The table's rows in its order and filter, but core's numbers at full precision, one per
  // column (EC50, lower, upper...), not the table's display strings.
  const auto analysis = compounds_->analysis();
  if (!analysis) return tableCsv(*proxy_);
  std::vector<std::size_t> shown;
  for (int row = 0; row < proxy_->rowCount(); ++row)
    shown.push_back(
        static_cast<std::size_t>(proxy_->index(row, 0).data(CompoundTableModel::CompoundIndexRole).toLongLong()));
  return pipeline::doseFitsCsv(*analysis, shown);
}

void ScreenBrowserPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  Updating guard(updating_);
  treeModel_->setAnalysis(analysis);
  compounds_->setAnalysis(analysis);
  tree_->expandToDepth(0);
}

void ScreenBrowserPanel::onTreeSelection() {
  if (updating_) return;
  Updating guard(updating_);
  const auto picked = tree_->selectionModel()->selectedRows();
  if (picked.isEmpty()) return;
  if (picked.size() > 1) {
    std::vector<std::size_t> rows;
    for (const auto& index : picked) {
      const auto row = index.data(ScreenTreeModel::StoreRowRole).toLongLong();
      if (row >= 0) rows.push_back(static_cast<std::size_t>(row));
    }
    selection_->selectRows(rows);
    return;
  }
  const QModelIndex index = picked.front();
  switch (static_cast<ScreenTreeModel::Level>(index.data(ScreenTreeModel::LevelRole).toInt())) {
    case ScreenTreeModel::Level::Site:
      selection_->selectSite(static_cast<int>(index.data(ScreenTreeModel::StoreRowRole).toLongLong()));
      break;
    case ScreenTreeModel::Level::Well:
      selection_->selectWell(index.data(ScreenTreeModel::PlateRole).toInt(),
                             index.data(ScreenTreeModel::WellRole).toString());
      break;
    case ScreenTreeModel::Level::Plate:
      selection_->selectPlate(index.data(ScreenTreeModel::PlateRole).toInt());
      break;
    case ScreenTreeModel::Level::Experiment:
      break;
  }
}

void ScreenBrowserPanel::onTableSelection() {
  if (updating_) return;
  Updating guard(updating_);
  std::vector<int> picked;
  for (const auto& index : table_->selectionModel()->selectedRows())
    picked.push_back(index.data(CompoundTableModel::CompoundIndexRole).toInt());
  std::sort(picked.begin(), picked.end());
  selection_->selectCompounds(picked);
}

void ScreenBrowserPanel::showCurrentSite(int row) {
  if (updating_ || row < 0) return;
  Updating guard(updating_);
  const QModelIndex index = treeModel_->siteIndex(static_cast<std::size_t>(row));
  tree_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  tree_->scrollTo(index);
}

void ScreenBrowserPanel::showCompounds() {
  if (updating_) return;
  Updating guard(updating_);
  QItemSelection items;
  for (int c : selection_->compounds()) {
    const QModelIndex source = compounds_->index(c, 0);
    const QModelIndex index = proxy_->mapFromSource(source);
    if (index.isValid()) items.select(index, index.siblingAtColumn(CompoundTableModel::ColumnCount - 1));
  }
  table_->selectionModel()->select(items, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

}  // namespace gandl::ui
