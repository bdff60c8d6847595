#include "ui/screen_tree_model.h"

#include <cmath>
#include <map>

#include "core/pipeline/analyze_task.h"

namespace gandl::ui {

ScreenTreeModel::ScreenTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void ScreenTreeModel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  beginResetModel();
  analysis_ = std::move(analysis);
  nodes_.clear();
  roots_.clear();
  nodeOfRow_.clear();
  nodeOfPlate_.clear();
  if (analysis_) {
    const auto& s = analysis_->sites;
    nodeOfRow_.assign(s.size(), -1);
    nodeOfPlate_.assign(s.plateNames.size(), -1);
    nodes_.reserve(s.size() + s.size() / 3 + 16);
    std::map<std::string, int> experiments;
    std::map<std::pair<int, std::string>, int> wells;
    auto addNode = [this](int parent, Level level, QString label) {
      Node node;
      node.parent = parent;
      node.level = level;
      node.label = std::move(label);
      auto& siblings = parent < 0 ? roots_ : nodes_[parent].children;
      node.rowInParent = static_cast<int>(siblings.size());
      nodes_.push_back(std::move(node));
      const int id = static_cast<int>(nodes_.size() - 1);
      (parent < 0 ? roots_ : nodes_[parent].children).push_back(id);
      return id;
    };
    for (std::size_t r = 0; r < s.size(); ++r) {
      auto e = experiments.find(s.experiment[r]);
      if (e == experiments.end())
        e = experiments
                .emplace(s.experiment[r], addNode(-1, Level::Experiment, QString::fromStdString(s.experiment[r])))
                .first;
      const int plate = s.plateOfRow[r];
      if (nodeOfPlate_[plate] < 0) {
        nodeOfPlate_[plate] = addNode(e->second, Level::Plate, QStringLiteral("Plate %1").arg(s.plate[r]));
        nodes_[nodeOfPlate_[plate]].plate = plate;
      }
      auto w = wells.find({plate, s.wellId[r]});
      if (w == wells.end()) {
        const int id = addNode(nodeOfPlate_[plate], Level::Well, QString::fromStdString(s.well[r]));
        nodes_[id].plate = plate;
        nodes_[id].wellId = QString::fromStdString(s.wellId[r]);
        QString detail = QString::fromStdString(s.treatment[r].empty() ? s.diseaseCondition[r] : s.treatment[r]);
        if (!std::isnan(s.concentrationMicromolar[r]))
          detail += QStringLiteral(" %1 µM").arg(s.concentrationMicromolar[r], 0, 'g', 3);
        nodes_[id].detail = detail + QStringLiteral(" (%1)").arg(QString::fromStdString(s.cellType[r]));
        w = wells.emplace(std::make_pair(plate, s.wellId[r]), id).first;
      }
      const int id = addNode(w->second, Level::Site, QStringLiteral("site %1").arg(s.site[r]));
      nodes_[id].plate = plate;
      nodes_[id].storeRow = static_cast<long>(r);
      nodes_[id].wellId = nodes_[w->second].wellId;
      nodes_[id].detail = QString::fromStdString(s.siteId[r]);
      nodeOfRow_[r] = id;
    }
  }
  endResetModel();
}

QModelIndex ScreenTreeModel::indexOfNode(int node) const {
  if (node < 0) return {};
  return createIndex(nodes_[node].rowInParent, 0, quintptr(node));
}

QModelIndex ScreenTreeModel::siteIndex(std::size_t row) const {
  return row < nodeOfRow_.size() ? indexOfNode(nodeOfRow_[row]) : QModelIndex();
}

QModelIndex ScreenTreeModel::plateIndex(int plate) const {
  return plate >= 0 && plate < static_cast<int>(nodeOfPlate_.size()) ? indexOfNode(nodeOfPlate_[plate]) : QModelIndex();
}

QModelIndex ScreenTreeModel::wellIndex(int plate, const QString& wellId) const {
  if (plate < 0 || plate >= static_cast<int>(nodeOfPlate_.size())) return {};
  for (int child : nodes_[nodeOfPlate_[plate]].children)
    if (nodes_[child].wellId == wellId) return indexOfNode(child);
  return {};
}

QModelIndex ScreenTreeModel::index(int row, int column, const QModelIndex& parent) const {
  const auto& children = parent.isValid() ? nodes_[parent.internalId()].children : roots_;
  if (row < 0 || row >= static_cast<int>(children.size()) || column < 0 || column > 1) return {};
  return createIndex(row, column, quintptr(children[row]));
}

QModelIndex ScreenTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid()) return {};
  return indexOfNode(nodes_[child.internalId()].parent);
}

int ScreenTreeModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(roots_.size());
  if (parent.column() != 0) return 0;
  return static_cast<int>(nodes_[parent.internalId()].children.size());
}

int ScreenTreeModel::columnCount(const QModelIndex&) const { return 2; }

QVariant ScreenTreeModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const Node& node = nodes_[index.internalId()];
  switch (role) {
    case Qt::DisplayRole:
      return index.column() == 0 ? node.label : node.detail;
    case LevelRole:
      return static_cast<int>(node.level);
    case StoreRowRole:
      return static_cast<qlonglong>(node.storeRow);
    case PlateRole:
      return node.plate;
    case WellRole:
      return node.wellId;
  }
  return {};
}

QVariant ScreenTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  return section == 0 ? tr("Screen") : tr("Contents");
}

}  // namespace gandl::ui
