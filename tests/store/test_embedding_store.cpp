// The embedding store: exact round trips of /X, /obs and /obsm, resuming an interrupted run
// (torn and damaged plate files), never a complete-looking file that is not, damaged bytes refused, the CSV export,
// clear errors, and Python's anndata reading what we write (and us reading what anndata writes back).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>

#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/store/csv_export.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"

using gandl::data::DataError;
using gandl::data::Role;
using gandl::data::Site;
using gandl::store::EmbeddingStore;
using gandl::store::EmbeddingWriter;
using gandl::store::RowMatrix;
namespace fs = std::filesystem;

namespace {

constexpr int kDimension = 6;
const char* const kTrickyTreatment = "Remdesivir, \"GS-5734\"";
const char* const kUnicodeTreatment = "Ibuprofène β-Säure";
const char* const kUnicodeCellType = "HRCE µ-Zellen";

// Sites of one plate: controls (no concentration), compounds, text with commas, quotes, UTF-8.
std::vector<Site> plateSites(const std::string& experiment, int plate, int count) {
  std::vector<Site> sites;
  for (int i = 0; i < count; ++i) {
    Site s;
    s.experiment = experiment;
    s.plate = plate;
    s.well = "B" + std::string(i / 4 + 2 < 10 ? "0" : "") + std::to_string(i / 4 + 2);
    s.site = i % 4 + 1;
    s.well_id = experiment + "_" + std::to_string(plate) + "_" + s.well;
    s.site_id = s.well_id + "_" + std::to_string(s.site);
    s.cell_type = i % 5 == 4 ? kUnicodeCellType : "HRCE";
    if (i % 3 == 0) {
      s.disease_condition = "Mock";
      s.role = Role::PositiveControl;
    } else {
      s.disease_condition = "Active SARS-CoV-2";
      s.treatment = i % 3 == 2 ? kTrickyTreatment : (i % 6 == 1 ? kUnicodeTreatment : "");
      s.role = s.treatment.empty() ? Role::NegativeControl : Role::Compound;
      if (!s.treatment.empty()) s.concentration_uM = 0.1 * (i + 1);
      if (!s.treatment.empty()) s.smiles = "CC(=O)N";
    }
    sites.push_back(s);
  }
  return sites;
}

// Embedding of the site with store-wide number `row`: distinct, irrational-looking values.
std::vector<float> embeddings(int firstRow, int count, int dimension = kDimension) {
  std::vector<float> rows;
  for (int i = firstRow; i < firstRow + count; ++i) {
    for (int j = 0; j < dimension; ++j) rows.push_back(10.0f * std::sin(0.37f * i + 0.11f * j));
  }
  return rows;
}

gandl::store::Provenance provenance(const std::string& checkpoint = "sha256:abc") {
  return {{"checkpoint_hash", checkpoint}, {"resolution", std::int64_t{64}}, {"channel_map", std::string("1,2,3,4,5")}};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The message of the DataError that `action` throws; "(no error)" when it throws none.
template <typename Action>
std::string errorOf(Action&& action) {
  try {
    action();
  } catch (const DataError& error) {
    return error.what();
  }
  return "(no error)";
}

// Writes `plates` plates of `perPlate` sites and finishes; returns every site in order.
std::vector<Site> writeStore(const fs::path& path, int plates, int perPlate) {
  EmbeddingWriter writer(path, kDimension, provenance());
  std::vector<Site> all;
  for (int p = 1; p <= plates; ++p) {
    const auto sites = plateSites("HRCE-1", p, perPlate);
    writer.append(sites, embeddings(static_cast<int>(all.size()), perPlate).data());
    all.insert(all.end(), sites.begin(), sites.end());
  }
  writer.finish();
  return all;
}

struct PythonResult {
  bool available = false;
  int exitCode = -1;
  QString output;
};

// Runs Debian's python3 (which has anndata and h5py), not whatever python3 is first on PATH.
PythonResult runPython(const QString& script, const QStringList& arguments) {
  static const bool available = [] {
    if (!QFileInfo::exists("/usr/bin/python3")) return false;
    QProcess probe;
    probe.start("/usr/bin/python3", {"-c", "import anndata, h5py"});
    return probe.waitForFinished(60000) && probe.exitCode() == 0;
  }();
  PythonResult result;
  result.available = available;
  if (!available) return result;
  QProcess process;
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start("/usr/bin/python3", QStringList{"-c", script} + arguments);
  process.waitForFinished(120000);
  result.exitCode = process.exitCode();
  result.output = QString::fromUtf8(process.readAll());
  return result;
}

}  // namespace

class TestEmbeddingStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(dir_.isValid()); }

  void roundTripOfMatrixAndEveryObsColumn() {
    const fs::path path = file("round.h5ad");
    const auto sites = writeStore(path, 2, 12);
    const auto store = EmbeddingStore::open(path);
    QCOMPARE(store.size(), std::size_t(24));
    QCOMPARE(store.dimension(), std::size_t(kDimension));
    QCOMPARE(store.varNames().front(), std::string("gandl_0"));
    QCOMPARE(store.varNames().back(), std::string("gandl_5"));
    const std::vector<std::string> columns{"well_id",           "cell_type", "experiment",     "plate",  "well", "site",
                                           "disease_condition", "treatment", "treatment_conc", "SMILES", "role"};
    QCOMPARE(store.obsColumns(), columns);

    const RowMatrix x = store.readAll();
    const auto expected = embeddings(0, 24);
    QCOMPARE(x.rows(), Eigen::Index(24));
    QVERIFY(std::equal(expected.begin(), expected.end(), x.data()));

    const auto treatment = store.obsText("treatment");
    const auto cellType = store.obsText("cell_type");
    const auto role = store.obsText("role");
    const auto wellId = store.obsText("well_id");
    const auto smiles = store.obsText("SMILES");
    const auto conc = store.obsNumbers("treatment_conc");
    const auto plate = store.obsNumbers("plate");
    const auto site = store.obsNumbers("site");
    QVERIFY(store.isNumeric("plate"));
    QVERIFY(!store.isNumeric("treatment"));
    for (std::size_t i = 0; i < sites.size(); ++i) {
      QCOMPARE(store.siteIds()[i], sites[i].site_id);
      QCOMPARE(wellId[i], sites[i].well_id);
      QCOMPARE(treatment[i], sites[i].treatment);
      QCOMPARE(cellType[i], sites[i].cell_type);
      QCOMPARE(smiles[i], sites[i].smiles);
      QCOMPARE(role[i], std::string(gandl::data::roleName(sites[i].role)));
      QCOMPARE(plate[i], double(sites[i].plate));
      QCOMPARE(site[i], double(sites[i].site));
      if (sites[i].hasConcentration()) {
        QCOMPARE(conc[i], sites[i].concentration_uM);
      } else {
        QVERIFY(std::isnan(conc[i]));
      }
    }
    QVERIFY(std::count(treatment.begin(), treatment.end(), kTrickyTreatment) > 0);
    QVERIFY(std::count(treatment.begin(), treatment.end(), kUnicodeTreatment) > 0);
    QVERIFY(std::count(cellType.begin(), cellType.end(), kUnicodeCellType) > 0);
    QCOMPARE(store.obsText("treatment_conc")[0], std::string());  // NaN
    QCOMPARE(store.obsText("treatment_conc")[2], std::string("0.30000000000000004"));

    const auto provenance = store.provenance();
    QCOMPARE(std::get<std::string>(provenance.at("checkpoint_hash")), std::string("sha256:abc"));
    QCOMPARE(std::get<std::int64_t>(provenance.at("resolution")), std::int64_t{64});
    QCOMPARE(std::get<std::int64_t>(provenance.at("complete")), std::int64_t{1});
    QCOMPARE(std::get<std::int64_t>(provenance.at("n_sites")), std::int64_t{24});
    QVERIFY(provenance.count("created_at") && provenance.count("finished_at"));
  }

  void oneSiteOnePlateAndChosenRows() {
    const fs::path path = file("rows.h5ad");
    const auto sites = writeStore(path, 3, 10);
    const auto store = EmbeddingStore::open(path);
    const RowMatrix all = store.readAll();

    QCOMPARE(store.row(sites[17].site_id), Eigen::RowVectorXf(all.row(17)));
    QCOMPARE(store.rowOf(sites[17].site_id), std::optional<std::size_t>(17));
    QVERIFY(!store.rowOf("nope").has_value());
    QVERIFY_THROWS_EXCEPTION(DataError, store.row("nope"));

    const std::vector<std::size_t> plate2{10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    QCOMPARE(store.plates().size(), std::size_t(3));
    QVERIFY((store.plates()[1] == gandl::store::PlateKey{"HRCE-1", 2}));
    QCOMPARE(store.rowsOfPlate("HRCE-1", 2), plate2);
    QCOMPARE(store.plateOfRow()[9], 0);
    QCOMPARE(store.plateOfRow()[10], 1);
    QCOMPARE(store.plateOfRow()[29], 2);
    QVERIFY(store.rowsOfPlate("HRCE-2", 2).empty());
    QCOMPARE(store.readPlate("HRCE-1", 2), RowMatrix(all.middleRows(10, 10)));

    const std::vector<std::size_t> chosen{29, 0, 17, 17, 3};
    const RowMatrix picked = store.readRows(chosen);
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      QCOMPARE(Eigen::RowVectorXf(picked.row(Eigen::Index(k))), Eigen::RowVectorXf(all.row(Eigen::Index(chosen[k]))));
    }
    QVERIFY_THROWS_EXCEPTION(DataError, store.readRows({30}));
  }

  void resumeAfterTwoPlates() {
    const fs::path path = file("resume.h5ad");
    {
      EmbeddingWriter writer(path, kDimension, provenance());
      QVERIFY(!writer.resumed());
      writer.append(plateSites("HRCE-1", 1, 8), embeddings(0, 8).data());
      writer.append(plateSites("HRCE-1", 2, 8), embeddings(8, 8).data());
    }  // killed before finish()
    QVERIFY(!fs::exists(path));
    QVERIFY(fs::exists(EmbeddingWriter::partialPath(path)));

    EmbeddingWriter writer(path, kDimension, provenance());
    QVERIFY(writer.resumed());
    QCOMPARE(writer.size(), std::size_t(16));
    for (const auto& site : plateSites("HRCE-1", 2, 8)) QVERIFY(writer.contains(site.site_id));
    QVERIFY(!writer.contains(plateSites("HRCE-1", 3, 1)[0].site_id));
    writer.append(plateSites("HRCE-1", 3, 8), embeddings(16, 8).data());
    writer.finish();
    QVERIFY(!fs::exists(EmbeddingWriter::partialPath(path)));

    const auto store = EmbeddingStore::open(path);
    QCOMPARE(store.size(), std::size_t(24));
    QCOMPARE(store.dimension(), std::size_t(kDimension));
    const auto expected = embeddings(0, 24);
    const RowMatrix x = store.readAll();
    QVERIFY(std::equal(expected.begin(), expected.end(), x.data()));
    QCOMPARE(store.rowsOfPlate("HRCE-1", 3).size(), std::size_t(8));
  }

  void resumeRefusesAnotherCheckpointOrDimension() {
    const fs::path path = file("mismatch.h5ad");
    {
      EmbeddingWriter writer(path, kDimension, provenance("sha256:first"));
      writer.append(plateSites("HRCE-1", 1, 4), embeddings(0, 4).data());
    }
    const std::string partial = EmbeddingWriter::partialPath(path).string();
    const std::string mismatch =
        errorOf([&] { EmbeddingWriter writer(path, kDimension, provenance("sha256:second")); });
    QVERIFY2(contains(mismatch, partial) && contains(mismatch, "sha256:first") && contains(mismatch, "sha256:second"),
             mismatch.c_str());
    const std::string wider = errorOf([&] { EmbeddingWriter writer(path, 512, provenance("sha256:first")); });
    QVERIFY2(contains(wider, partial) && contains(wider, "512"), wider.c_str());
  }

  void resumeDropsADamagedPlateFileAndTornWrites() {
    const fs::path path = file("inflight.h5ad");
    const fs::path journal = EmbeddingWriter::partialPath(path);
    {
      EmbeddingWriter writer(path, kDimension, provenance());
      writer.append(plateSites("HRCE-1", 1, 8), embeddings(0, 8).data());
      writer.append(plateSites("HRCE-1", 2, 8), embeddings(8, 8).data());
    }
    QVERIFY(fs::is_directory(journal));
    QVERIFY(fs::exists(journal / "plate-000000.rows") && fs::exists(journal / "plate-000001.rows"));
    // What a kill leaves: a plate being written under its temporary name; and a bit flipped on
    // disk in a plate already stored.
    std::ofstream(journal / "plate-000002.rows.tmp", std::ios::binary) << "GANDLPR1 half a plate";
    {
      std::fstream plate(journal / "plate-000001.rows", std::ios::in | std::ios::out | std::ios::binary);
      plate.seekg(100);
      const char byte = static_cast<char>(plate.get());
      plate.seekp(100);
      plate.put(static_cast<char>(byte ^ 0x10));
    }

    EmbeddingWriter writer(path, kDimension, provenance());
    QVERIFY(writer.resumed());
    QCOMPARE(writer.size(), std::size_t(8));
    QCOMPARE(writer.warnings().size(), std::size_t(1));
    QVERIFY2(contains(writer.warnings()[0], "plate-000001.rows") && contains(writer.warnings()[0], "checksum"),
             writer.warnings()[0].c_str());
    QVERIFY(!fs::exists(journal / "plate-000002.rows.tmp"));
    QVERIFY(!writer.contains(plateSites("HRCE-1", 2, 1)[0].site_id));
    writer.append(plateSites("HRCE-1", 2, 8), embeddings(8, 8).data());
    writer.finish();
    QVERIFY(!fs::exists(journal));
    const auto store = EmbeddingStore::open(path);
    QCOMPARE(store.size(), std::size_t(16));
    const auto expected = embeddings(0, 16);
    QVERIFY(std::equal(expected.begin(), expected.end(), store.readAll().data()));
  }

  void unfinishedStoreIsNeverTakenForComplete() {
    const fs::path path = file("unfinished.h5ad");
    {
      EmbeddingWriter writer(path, kDimension, provenance());
      writer.append(plateSites("HRCE-1", 1, 4), embeddings(0, 4).data());
    }
    QVERIFY(!fs::exists(path));
    const fs::path partial = EmbeddingWriter::partialPath(path);
    const std::string error = errorOf([&] { EmbeddingStore::open(partial); });
    QVERIFY2(contains(error, partial.string()) && contains(error, "unfinished"), error.c_str());
    // A plate file under a store's name is no store.
    const fs::path renamed = file("renamed.h5ad");
    fs::copy_file(partial / "plate-000000.rows", renamed);
    const std::string foreign = errorOf([&] { EmbeddingStore::open(renamed); });
    QVERIFY2(contains(foreign, renamed.string()) && contains(foreign, "not an HDF5 file"), foreign.c_str());
  }

  void journalOfAnEarlierVersionOrInUseIsRefused() {
    const fs::path path = file("old.h5ad");
    std::ofstream(EmbeddingWriter::partialPath(path)) << "an HDF5 .partial of gandl 0.x";
    const std::string old = errorOf([&] { EmbeddingWriter writer(path, kDimension, provenance()); });
    QVERIFY2(contains(old, "earlier gandl version") && contains(old, "delete it"), old.c_str());

    const fs::path busy = file("busy.h5ad");
    EmbeddingWriter first(busy, kDimension, provenance());
    const std::string second = errorOf([&] { EmbeddingWriter writer(busy, kDimension, provenance()); });
    QVERIFY2(contains(second, "in use by another process"), second.c_str());
  }

  void everyFlippedByteOfAStoreIsRefusedOrHarmless() {
    const fs::path path = file("sealed.h5ad");
    writeStore(path, 2, 9);
    {
      auto store = EmbeddingStore::open(path, EmbeddingStore::Access::ReadWrite);
      store.writeObsm("X_pca", RowMatrix::Constant(18, 2, 0.25f), "test");  // the copy is sealed again
    }
    const auto original = EmbeddingStore::open(path);
    const RowMatrix x = original.readAll();
    const auto ids = original.siteIds();
    const auto roles = original.obsText("role");
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::mt19937 random(11);
    int refused = 0;
    const int trials = 150;
    for (int trial = 0; trial < trials; ++trial) {
      std::string damaged = bytes;
      // A third of the flips in the seal's user block, the rest anywhere.
      const std::size_t at = trial % 3 == 0 ? random() % 512 : random() % damaged.size();
      damaged[at] = static_cast<char>(damaged[at] ^ (1 + random() % 255));
      const fs::path copy = file("flipped.h5ad");
      std::ofstream(copy, std::ios::binary | std::ios::trunc).write(damaged.data(), std::streamsize(damaged.size()));
      try {
        const auto store = EmbeddingStore::open(copy);
        // Accepted: then it must read exactly what was written.
        QVERIFY2(store.readAll() == x && store.siteIds() == ids && store.obsText("role") == roles,
                 qPrintable(QString("flip at byte %1 changed what the store reads").arg(at)));
      } catch (const DataError& error) {
        ++refused;
        QVERIFY2(contains(error.what(), copy.string()), error.what());
      }
    }
    QVERIFY2(refused >= trials - 5, qPrintable(QString("%1 of %2 flips refused").arg(refused).arg(trials)));
  }

  void finishReplacesAnOlderStoreOnlyAtTheEnd() {
    const fs::path path = file("replace.h5ad");
    writeStore(path, 1, 5);
    EmbeddingWriter writer(path, kDimension, provenance("sha256:new"));
    writer.append(plateSites("HRCE-2", 7, 9), embeddings(100, 9).data());
    QCOMPARE(EmbeddingStore::open(path).size(), std::size_t(5));  // the old one, untouched
    writer.finish();
    const auto store = EmbeddingStore::open(path);
    QCOMPARE(store.size(), std::size_t(9));
    QCOMPARE(store.rowsOfPlate("HRCE-2", 7).size(), std::size_t(9));
    QCOMPARE(std::get<std::string>(store.provenance().at("checkpoint_hash")), std::string("sha256:new"));
  }

  void appendRefusesSitesAlreadyHeld() {
    const fs::path path = file("duplicates.h5ad");
    EmbeddingWriter writer(path, kDimension, provenance());
    const auto sites = plateSites("HRCE-1", 1, 4);
    writer.append(sites, embeddings(0, 4).data());
    QVERIFY_THROWS_EXCEPTION(DataError, writer.append({sites[2]}, embeddings(0, 1).data()));
    const auto next = plateSites("HRCE-1", 2, 2);
    QVERIFY_THROWS_EXCEPTION(DataError, writer.append({next[0], next[0]}, embeddings(0, 2).data()));
    Site badText = next[1];
    badText.treatment = "\xC3(";
    QVERIFY_THROWS_EXCEPTION(DataError, writer.append({badText}, embeddings(0, 1).data()));
    QCOMPARE(writer.size(), std::size_t(4));
    writer.append(next, embeddings(4, 2).data());
    writer.finish();
    QCOMPARE(EmbeddingStore::open(path).size(), std::size_t(6));
  }

  void obsmWriteReplaceRead() {
    const fs::path path = file("obsm.h5ad");
    writeStore(path, 2, 6);
    {
      auto store = EmbeddingStore::open(path, EmbeddingStore::Access::ReadWrite);
      QVERIFY(store.obsmNames().empty());
      RowMatrix normalized = store.readAll().array() * 2.0f;
      store.writeObsm("X_plate_norm", normalized, "z-score per plate on controls");
      QCOMPARE(store.readObsm("X_plate_norm"), normalized);
      RowMatrix small(12, 2);
      for (Eigen::Index i = 0; i < small.size(); ++i) small.data()[i] = float(i) / 3.0f;
      store.writeObsm("X_plate_norm", small, "first two components");
      store.writeObsm("X_baseline", small.leftCols(1), "baseline");
      QVERIFY_THROWS_EXCEPTION(std::invalid_argument, store.writeObsm("X_bad", RowMatrix(3, 2), "wrong rows"));
    }
    const auto store = EmbeddingStore::open(path);
    QCOMPARE(store.obsmNames(), (std::vector<std::string>{"X_baseline", "X_plate_norm"}));
    RowMatrix expected(12, 2);
    for (Eigen::Index i = 0; i < expected.size(); ++i) expected.data()[i] = float(i) / 3.0f;
    QCOMPARE(store.readObsm("X_plate_norm"), expected);
    QCOMPARE(store.columns("X_plate_norm"), std::size_t(2));
    QCOMPARE(store.obsmMethod("X_plate_norm"), std::string("first two components"));
    QCOMPARE(store.readRows({4}, "X_plate_norm"), RowMatrix(expected.row(4)));
    QVERIFY_THROWS_EXCEPTION(DataError, store.readObsm("X_missing"));
    auto readOnly = EmbeddingStore::open(path);
    QVERIFY_THROWS_EXCEPTION(std::logic_error, readOnly.writeObsm("Y", expected, "read-only"));
  }

  void exportCsvHeaderAndRows() {
    const fs::path path = file("export.h5ad");
    const auto sites = writeStore(path, 1, 6);
    const fs::path csv = file("export.csv");
    std::vector<std::int64_t> progress;
    gandl::tasks::TaskContext context(
        [&](const gandl::tasks::ProgressUpdate& update) { progress.push_back(update.done); }, nullptr);
    gandl::store::exportCsv(EmbeddingStore::open(path), csv, {}, context);
    QVERIFY(!progress.empty() && progress.back() == 6);

    const auto table = gandl::data::readCsv(csv);
    const std::vector<std::string> header{
        "site_id", "well_id",           "cell_type", "experiment",        "plate",   "well",
        "site",    "disease_condition", "treatment", "treatment_conc_uM", "SMILES",  "role",
        "gandl_0", "gandl_1",           "gandl_2",   "gandl_3",           "gandl_4", "gandl_5"};
    QCOMPARE(table.header, header);
    QCOMPARE(table.rows.size(), std::size_t(6));
    const auto x = embeddings(0, 6);
    for (std::size_t i = 0; i < 6; ++i) {
      const auto& row = table.rows[i];
      QCOMPARE(row[0], sites[i].site_id);
      QCOMPARE(row[4], std::to_string(sites[i].plate));
      QCOMPARE(row[8], sites[i].treatment);
      QCOMPARE(row[9],
               sites[i].hasConcentration() ? gandl::store::formatReal(sites[i].concentration_uM) : std::string());
      QCOMPARE(row[11], std::string(gandl::data::roleName(sites[i].role)));
      for (int j = 0; j < kDimension; ++j) {
        QCOMPARE(std::stof(row[12 + j]), x[i * kDimension + j]);  // shortest form round-trips
      }
    }
    QCOMPARE(table.rows[2][8], std::string(kTrickyTreatment));

    // An /obsm entry instead of X, and a cancelled export that leaves the older CSV as it was.
    {
      auto writable = EmbeddingStore::open(path, EmbeddingStore::Access::ReadWrite);
      writable.writeObsm("X_pca", RowMatrix::Ones(6, 2), "test");
    }
    const auto withObsm = EmbeddingStore::open(path);
    gandl::store::exportCsv(withObsm, csv, "X_pca");
    const auto pca = gandl::data::readCsv(csv);
    QCOMPARE(pca.header.back(), std::string("X_pca_1"));
    QCOMPARE(pca.rows[5].back(), std::string("1"));
    gandl::tasks::CancelToken token;
    token.cancel();
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled, gandl::store::exportCsv(withObsm, csv, {}, {nullptr, &token}));
    QCOMPARE(gandl::data::readCsv(csv).header.back(), std::string("X_pca_1"));
  }

  void clearErrorsForMissingAndCorruptFiles() {
    const fs::path missing = file("missing.h5ad");
    const std::string error = errorOf([&] { EmbeddingStore::open(missing); });
    QVERIFY2(contains(error, missing.string()) && contains(error, "no such file"), error.c_str());
    const fs::path corrupt = file("corrupt.h5ad");
    {
      std::mt19937 random(7);
      std::ofstream out(corrupt, std::ios::binary);
      for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(random() & 0xFF));
    }
    const std::string garbage = errorOf([&] { EmbeddingStore::open(corrupt); });
    QVERIFY2(contains(garbage, corrupt.string()) && contains(garbage, "not an HDF5 file"), garbage.c_str());
    // An HDF5 file that damages the end of a store: HDF5's own message, with the file name.
    const fs::path truncated = file("truncated.h5ad");
    writeStore(truncated, 1, 6);
    fs::resize_file(truncated, fs::file_size(truncated) / 2);
    QVERIFY_THROWS_EXCEPTION(DataError, EmbeddingStore::open(truncated).readAll());
  }

  void hdf5FileWithoutMatrix() {
    const fs::path path = file("nox.h5");
    const auto python = runPython("import sys, h5py\nh5py.File(sys.argv[1], 'w').create_group('obs')\n",
                                  {QString::fromStdString(path.string())});
    if (!python.available) {
      QSKIP("/usr/bin/python3 with anndata and h5py is needed to write a foreign file");
    }
    QVERIFY2(python.exitCode == 0, qPrintable(python.output));
    const std::string error = errorOf([&] { EmbeddingStore::open(path); });
    QVERIFY2(contains(error, path.string()) && contains(error, "no /X"), error.c_str());
  }

  void anndataReadsTheStoreAndWeReadItsRewrite() {
    const fs::path path = file("anndata.h5ad");
    const auto sites = writeStore(path, 2, 9);
    {
      auto store = EmbeddingStore::open(path, EmbeddingStore::Access::ReadWrite);
      RowMatrix pca(18, 3);
      for (Eigen::Index i = 0; i < pca.size(); ++i) pca.data()[i] = 0.5f * float(i);
      store.writeObsm("X_pca", pca, "test");
    }
    const fs::path rewritten = file("rewritten.h5ad");
    const QString script =
        "import sys, math, anndata\n"
        "a = anndata.read_h5ad(sys.argv[1])\n"
        "assert a.shape == (18, 6), a.shape\n"
        "assert list(a.obs.columns) == ['well_id', 'cell_type', 'experiment', 'plate', 'well',"
        " 'site', 'disease_condition', 'treatment', 'treatment_conc', 'SMILES', 'role'],"
        " list(a.obs.columns)\n"
        "assert a.obs.index.name == 'site_id', a.obs.index.name\n"
        "assert a.obs_names[0] == sys.argv[3], a.obs_names[0]\n"
        "assert list(a.var_names) == ['gandl_%d' % i for i in range(6)], list(a.var_names)\n"
        "assert list(a.obsm.keys()) == ['X_pca'], list(a.obsm.keys())\n"
        "assert a.obsm['X_pca'][4, 2] == 7.0, a.obsm['X_pca'][4, 2]\n"
        "assert str(a.X.dtype) == 'float32' and abs(a.X[1, 2] - float(sys.argv[4])) < 1e-6\n"
        "assert a.obs['plate'].dtype == 'int64' and a.obs['plate'].iloc[17] == 2\n"
        "assert math.isnan(a.obs['treatment_conc'].iloc[0])\n"
        "assert a.obs['treatment'].iloc[2] == 'Remdesivir, \"GS-5734\"'\n"
        "assert a.obs['treatment'].iloc[1] == 'Ibuprofène β-Säure'\n"
        "assert a.uns['gandl']['checkpoint_hash'] == 'sha256:abc'\n"
        "assert a.uns['gandl']['complete'] == 1\n"
        "a.write_h5ad(sys.argv[2])\n"
        "print('anndata', anndata.__version__, 'read and rewrote the store')\n";
    const auto python = runPython(
        script, {QString::fromStdString(path.string()), QString::fromStdString(rewritten.string()),
                 QString::fromStdString(sites[0].site_id), QString::number(double(embeddings(1, 1)[2]), 'g', 9)});
    if (!python.available) QSKIP("/usr/bin/python3 lacks anndata: apt-get install python3-anndata");
    QVERIFY2(python.exitCode == 0, qPrintable(python.output));

    // anndata stores repeated strings as categoricals on the way back: still readable here.
    const auto back = EmbeddingStore::open(rewritten);
    QCOMPARE(back.size(), std::size_t(18));
    QCOMPARE(back.obsText("treatment"), EmbeddingStore::open(path).obsText("treatment"));
    QCOMPARE(back.obsText("role")[0], std::string("positive_control"));
    QCOMPARE(back.readAll(), EmbeddingStore::open(path).readAll());
    QCOMPARE(back.readObsm("X_pca")(4, 2), 7.0f);
  }

 private:
  fs::path file(const std::string& name) const { return fs::path(dir_.path().toStdString()) / name; }
  QTemporaryDir dir_;
};

QTEST_APPLESS_MAIN(TestEmbeddingStore)
#include "test_embedding_store.moc"
