#pragma once
// Experiment / plate / well / site of an analysis's site table as a tree. Nodes live in one
// vector (305,520 sites make ~330,000 nodes); QModelIndex::internalId is the node number.

#include <QAbstractItemModel>
#include <memory>
#include <vector>

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class ScreenTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum class Level { Experiment, Plate, Well, Site };
  static constexpr int LevelRole = Qt::UserRole;
  static constexpr int StoreRowRole = Qt::UserRole + 1;  // sites: the store row
  static constexpr int PlateRole = Qt::UserRole + 2;     // plates, wells, sites: plate index
  static constexpr int WellRole = Qt::UserRole + 3;      // wells, sites: well_id

  explicit ScreenTreeModel(QObject* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);

  // The index of a store row's site node, of a plate node, of a well node.
  QModelIndex siteIndex(std::size_t row) const;
  QModelIndex plateIndex(int plate) const;
  QModelIndex wellIndex(int plate, const QString& wellId) const;

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  struct Node {
    int parent = -1;
    int rowInParent = 0;
    Level level = Level::Experiment;
    int plate = -1;
    long storeRow = -1;
    QString label;
    QString detail;
    QString wellId;
    std::vector<int> children;
  };
  QModelIndex indexOfNode(int node) const;

  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  std::vector<Node> nodes_;
  std::vector<int> roots_;
  std::vector<int> nodeOfRow_, nodeOfPlate_;
};

}  // namespace gandl::ui
