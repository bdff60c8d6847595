#include "ui/compound_table_model.h"

#include <cmath>
#include <limits>

#include "core/pipeline/analyze_task.h"

namespace gandl::ui {

namespace {

QString number(double value, int precision = 3) {
  if (!std::isfinite(value)) return value > 0 ? QStringLiteral("inf") : QString();
  return QString::number(value, 'g', precision);
}

QVariant sortKey(double value) { return std::isfinite(value) ? value : std::numeric_limits<double>::max(); }

QString interval(const analysis::CompoundResponse& r) {
  if (!std::isfinite(r.ec50Micromolar)) return {};
  const QString low = r.ec50LowerMicromolar > 0 ? number(r.ec50LowerMicromolar) : QStringLiteral("0");
  const QString high = std::isfinite(r.ec50UpperMicromolar) ? number(r.ec50UpperMicromolar) : QStringLiteral("inf");
  return QStringLiteral("[%1, %2]").arg(low, high);
}

}  // namespace

CompoundTableModel::CompoundTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompoundTableModel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  beginResetModel();
  analysis_ = std::move(analysis);
  endResetModel();
}

int CompoundTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !analysis_ ? 0 : static_cast<int>(analysis_->compounds.size());
}

int CompoundTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant CompoundTableModel::data(const QModelIndex& index, int role) const {
  if (!analysis_ || !index.isValid()) return {};
  const auto& compound = analysis_->compounds[index.row()];
  const auto& r = compound.response;
  if (role == CompoundIndexRole) return index.row();
  if (role == Qt::TextAlignmentRole)
    return index.column() == Name || index.column() == CellType || index.column() == Status
               ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
               : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == Status) return QString::fromStdString(r.note);
  if (role != Qt::DisplayRole && role != SortRole) return {};
  const bool sort = role == SortRole;
  switch (index.column()) {
    case Rank:
      return r.hitRank;
    case Name:
      return QString::fromStdString(compound.compound);
    case CellType:
      return QString::fromStdString(compound.cellType);
    case Doses:
      return static_cast<int>(r.doses.size());
    case Ec50:
      return sort ? sortKey(r.ec50Micromolar) : QVariant(number(r.ec50Micromolar));
    case Ec50Interval:
      return sort ? sortKey(std::isfinite(r.ec50UpperMicromolar) && r.ec50LowerMicromolar > 0
                                ? std::log10(r.ec50UpperMicromolar / r.ec50LowerMicromolar)
                                : std::numeric_limits<double>::infinity())
                  : QVariant(interval(r));
    case Hill:
      return sort ? sortKey(r.hasFit ? r.fit.hill : NAN) : QVariant(r.hasFit ? number(r.fit.hill, 2) : QString());
    case Plateaus:
      if (!r.hasFit) return sort ? sortKey(NAN) : QVariant(QString());
      return sort ? sortKey(r.fit.top - r.fit.bottom)
                  : QVariant(QStringLiteral("%1 / %2").arg(number(r.fit.top, 2), number(r.fit.bottom, 2)) +
                             (r.fit.parameterCount == 4 ? QString() : tr(" (anchored)")));
    case RSquared:
      return sort ? sortKey(r.hasFit ? -r.fit.rSquared : NAN)
                  : QVariant(r.hasFit ? number(r.fit.rSquared, 2) : QString());
    case FTestP:
      return sort ? sortKey(r.fTestPValue) : QVariant(number(r.fTestPValue, 2));
    case MaxEfficacy:
      return sort ? sortKey(r.maxEfficacy) : QVariant(number(r.maxEfficacy, 2));
    case Status:
      return QString::fromStdString(analysis::doseResponseStatusName(r.status));
    case Sites:
      return static_cast<int>(compound.rows.size());
  }
  return {};
}

QVariant CompoundTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Rank:
      return tr("Rank");
    case Name:
      return tr("Compound");
    case CellType:
      return tr("Cell type");
    case Doses:
      return tr("Doses");
    case Ec50:
      return tr("EC50 (µM)");
    case Ec50Interval:
      return tr("EC50 95% CI (µM)");
    case Hill:
      return tr("Hill");
    case RSquared:
      return tr("R²");
    case Plateaus:
      return tr("Top / bottom");
    case FTestP:
      return tr("p (vs flat)");
    case MaxEfficacy:
      return tr("Max efficacy");
    case Status:
      return tr("Status");
    case Sites:
      return tr("Sites");
  }
  return {};
}

CompoundFilterModel::CompoundFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(CompoundTableModel::SortRole);
  setFilterKeyColumn(CompoundTableModel::Name);
  setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void CompoundFilterModel::setStatus(const QString& status) {
  status_ = status;
  invalidateFilter();
}

bool CompoundFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  if (!status_.isEmpty()) {
    const auto status = sourceModel()->index(sourceRow, CompoundTableModel::Status, sourceParent).data().toString();
    if (status != status_) return false;
  }
  return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

}  // namespace gandl::ui
