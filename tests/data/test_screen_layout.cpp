// Reading screens: both RxRx layouts, roles, two-letter wells, the real RxRx1 slice, and every
// kind of bad metadata named by file, line, column and value.
#include <QtTest>
#include <sys/stat.h>

#include <fstream>

#include "core/data/data_error.h"
#include "core/data/screen.h"
#include "core/data/screen_summary.h"

namespace fs = std::filesystem;
using namespace gandl::data;

namespace {

const char* kHeader19a =
    "site_id,well_id,cell_type,experiment,plate,well,site,disease_condition,treatment,"
    "treatment_conc,SMILES\n";

void writeText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Empty channel files: the layout only indexes names, decoding is the loader's job.
void touchChannels(const fs::path& root, const std::string& experiment, int plate, const std::string& well, int site,
                   std::initializer_list<int> channels) {
  for (int c : channels)
    writeText(root / "images" / experiment / ("Plate" + std::to_string(plate)) /
                  (well + "_s" + std::to_string(site) + "_w" + std::to_string(c) + ".png"),
              "");
}

std::string expectError(const fs::path& root, Layout layout = Layout::Auto) {
  try {
    loadScreen(root, layout);
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestScreenLayout : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rxrx19aRolesWellsAndConcentrations() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeText(root / "metadata.csv",
              std::string("\xEF\xBB\xBF") + kHeader19a +
                  "HRCE-1_1_B02_1,HRCE-1_1_B02,HRCE,HRCE-1,1,B02,1,Mock,,,\r\n"
                  "HRCE-1_1_B03_1,HRCE-1_1_B03,HRCE,HRCE-1,1,B03,1,UV Inactivated SARS-CoV-2,,,\r\n"
                  "HRCE-1_1_B04_1,HRCE-1_1_B04,HRCE,HRCE-1,1,B04,1,Active SARS-CoV-2,,,\r\n"
                  "HRCE-1_1_AA17_2,HRCE-1_1_AA17,HRCE,HRCE-1,1,AA17,2,Active SARS-CoV-2,"
                  "\"Remdesivir, (GS-5734)\",3.16,\"CC(C)CC\"\r\n"
                  "HRCE-1_1_C01_1,HRCE-1_1_C01,HRCE,HRCE-1,1,C01,1,,,,\r\n");
    for (auto [well, site] : {std::pair{"B02", 1}, {"B03", 1}, {"B04", 1}, {"AA17", 2}})
      touchChannels(root, "HRCE-1", 1, well, site, {1, 2, 3, 4, 5});
    const Screen screen = loadScreen(root);
    QCOMPARE(screen.layout, Layout::RxRx19a);
    QCOMPARE(screen.sites.size(), std::size_t(5));
    QCOMPARE(screen.sites[0].role, Role::PositiveControl);
    QCOMPARE(screen.sites[1].role, Role::PositiveControl);
    QCOMPARE(screen.sites[2].role, Role::NegativeControl);
    const Site* compound = screen.find("HRCE-1_1_AA17_2");
    QVERIFY(compound);
    QCOMPARE(compound->role, Role::Compound);
    QCOMPARE(compound->treatment, std::string("Remdesivir, (GS-5734)"));
    QCOMPARE(compound->concentration_uM, 3.16);
    QCOMPARE(compound->row, 26);
    QCOMPARE(compound->column, 17);
    QCOMPARE(compound->site, 2);
    QVERIFY(compound->complete());
    QCOMPARE(compound->channel_files[4].filename().string(), std::string("AA17_s2_w5.png"));
    QVERIFY(!screen.sites[0].hasConcentration());
    QCOMPARE(screen.sites[4].role, Role::Other);
    QVERIFY(!screen.sites[4].complete());
    QCOMPARE(screen.completeCount(), std::size_t(4));
    QVERIFY(!screen.find("nope"));
  }

  void missingPlateFolderMarksSitesIncomplete() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeText(root / "metadata.csv", std::string(kHeader19a) + "V_2_B02_1,V_2_B02,VERO,VERO-1,2,B02,1,Mock,,,\n");
    const Screen screen = loadScreen(root);
    QVERIFY(!screen.sites[0].complete());
    QVERIFY(screen.sites[0].incomplete_reason.find("Plate2 not found") != std::string::npos);
  }

  // A channel "file" that is a folder, a FIFO, a dangling link or a link loop leaves its site
  // incomplete (named), and the other sites load; a link to a real image counts.
  void channelFilesThatAreNotFilesMarkTheSiteIncomplete() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    std::string metadata = kHeader19a;
    for (int s = 1; s <= 6; ++s)
      metadata += "E_1_B02_" + std::to_string(s) + ",E_1_B02,HRCE,E,1,B02," + std::to_string(s) + ",Mock,,,\n";
    writeText(root / "metadata.csv", metadata);
    for (int s = 1; s <= 6; ++s) touchChannels(root, "E", 1, "B02", s, {1, 2, 3, 4, 5});
    const fs::path plate = root / "images" / "E" / "Plate1";
    fs::remove(plate / "B02_s1_w3.png");
    fs::create_directory(plate / "B02_s1_w3.png");  // a folder
    fs::remove(plate / "B02_s2_w3.png");
    QCOMPARE(::mkfifo((plate / "B02_s2_w3.png").c_str(), 0644), 0);  // a FIFO
    fs::remove(plate / "B02_s3_w3.png");
    fs::create_symlink(plate / "nowhere.png", plate / "B02_s3_w3.png");  // dangling
    fs::remove(plate / "B02_s4_w3.png");
    fs::create_symlink(plate / "B02_s4_w3.png", plate / "B02_s4_w3.png");  // a loop
    fs::remove(plate / "B02_s5_w3.png");
    fs::create_symlink(plate / "B02_s6_w3.png", plate / "B02_s5_w3.png");  // a link to a real file
    const Screen screen = loadScreen(root);
    for (int s = 0; s < 4; ++s) {
      QVERIFY2(!screen.sites[s].complete(), screen.sites[s].site_id.c_str());
      QVERIFY2(screen.sites[s].incomplete_reason.find("w3") != std::string::npos,
               screen.sites[s].incomplete_reason.c_str());
    }
    QVERIFY(screen.sites[4].complete());
    QVERIFY(screen.sites[5].complete());
  }

  void realRxRx1SliceLoadsWith18IncompleteSites() {
    const fs::path root = fs::path(GANDL_SHARED_DATA_DIR) / "rxrx1-sample";
    if (!fs::exists(root)) QSKIP("shared/data/rxrx1-sample not present");
    const Screen screen = loadScreen(root);
    QCOMPARE(screen.layout, Layout::RxRx1);
    QCOMPARE(screen.channel_map, (std::vector<int>{1, 2, 3, 4, 6}));
    QCOMPARE(screen.sites.size(), std::size_t(36));
    QCOMPARE(screen.completeCount(), std::size_t(18));
    for (const auto& site : screen.sites) {
      QCOMPARE(site.complete(), site.site == 1);
      if (!site.complete())
        QVERIFY2(site.incomplete_reason.find("w6") != std::string::npos, site.incomplete_reason.c_str());
      QCOMPARE(site.well_type, std::string("negative_control"));
    }
    const auto summary = summarize(screen);
    QCOMPARE(summary.by_cell_type.at("HEPG2"), std::size_t(12));
    QCOMPARE(summary.by_experiment.size(), std::size_t(5));
    QCOMPARE(summary.incomplete_sites.size(), std::size_t(18));
  }

  void forcedLayoutThatDoesNotFitNamesTheColumn() {
    const fs::path root = fs::path(GANDL_SHARED_DATA_DIR) / "rxrx1-sample";
    if (!fs::exists(root)) QSKIP("shared/data/rxrx1-sample not present");
    const std::string error = expectError(root, Layout::RxRx19a);
    QVERIFY2(error.find("disease_condition") != std::string::npos, error.c_str());
  }

  void badMetadataIsNamedPrecisely_data() {
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("non-numeric concentration") << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,Active SARS-CoV-2,X,ten,\n"
                                               << "line 2, column 'treatment_conc': got 'ten'";
    QTest::newRow("duplicate site_id")
        << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,Mock,,,\na,w,HRCE,E,1,B02,1,Mock,,,\n"
        << "line 3, column 'site_id': got 'a', expected a unique site_id (it is already on line 2)";
    QTest::newRow("hex concentration") << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,Active SARS-CoV-2,X,0x10,\n"
                                       << "line 2, column 'treatment_conc': got '0x10'";
    QTest::newRow("infinite concentration") << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,Active SARS-CoV-2,X,inf,\n"
                                            << "column 'treatment_conc': got 'inf'";
    QTest::newRow("one field of view, two site_ids")
        << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,Mock,,,\nb,w,HRCE,E,1,B02,1,Mock,,,\n"
        << "line 3, column 'site_id': got 'b', expected one site_id per field of view (E plate 1 well B02 site 1 is "
           "already site 'a' on line 2)";
    QTest::newRow("text after a closing quote") << QString(kHeader19a) + "a,w,HRCE,E,1,B02,1,\"Mock\"x,,,\n"
                                                << "line 2: got '\"Mock\"x'";
    QTest::newRow("bad plate") << QString(kHeader19a) + "a,w,HRCE,E,one,B02,1,Mock,,,\n"
                               << "line 2, column 'plate': got 'one'";
    QTest::newRow("bad well") << QString(kHeader19a) + "a,w,HRCE,E,1,2B,1,Mock,,,\n"
                              << "column 'well': got '2B'";
    QTest::newRow("missing column")
        << QString(
               "site_id,well_id,cell_type,experiment,plate,well,site,disease_condition,treatment\n"
               "a,w,HRCE,E,1,B02,1,Mock,\n")
        << "column 'treatment_conc': got '(missing)'";
    QTest::newRow("empty file") << QString() << "the file is empty";
    QTest::newRow("header only") << QString(kHeader19a) << "no site rows";
    QTest::newRow("unknown header") << QString("x,y\n1,2\n") << "expected an RxRx19a header";
    QTest::newRow("ragged row") << QString(kHeader19a) + "a,w,HRCE\n"
                                << "line 2";
    // The experiment is a folder under images/: never a way out of the screen folder.
    QTest::newRow("experiment climbs out") << QString(kHeader19a) + "a,w,HRCE,../../x,1,B02,1,Mock,,,\n"
                                           << "line 2, column 'experiment': got '../../x'";
    QTest::newRow("experiment is absolute") << QString(kHeader19a) + "a,w,HRCE,/etc,1,B02,1,Mock,,,\n"
                                            << "line 2, column 'experiment': got '/etc'";
    QTest::newRow("experiment is ..") << QString(kHeader19a) + "a,w,HRCE,..,1,B02,1,Mock,,,\n"
                                      << "column 'experiment': got '..'";
    QTest::newRow("experiment is empty") << QString(kHeader19a) + "a,w,HRCE,,1,B02,1,Mock,,,\n"
                                         << "column 'experiment'";
  }
  void badMetadataIsNamedPrecisely() {
    QFETCH(QString, body);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeText(root / "metadata.csv", body.toStdString());
    const std::string error = expectError(root);
    QVERIFY2(error.find("metadata.csv") != std::string::npos, error.c_str());
    QVERIFY2(error.find(expected.toStdString()) != std::string::npos, error.c_str());
  }

  void utf16OrAFolderAsMetadataIsNamed() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    std::string utf16 = "\xFF\xFE";
    for (const char c : std::string(kHeader19a)) utf16 += std::string(1, c) + '\0';
    writeText(root / "metadata.csv", utf16);
    QVERIFY2(expectError(root).find("metadata.csv: is UTF-16 text; save it as UTF-8") != std::string::npos,
             expectError(root).c_str());
    writeText(root / "metadata.csv", std::string("s\0i\0t\0e\0", 8));
    QVERIFY2(expectError(root).find("NUL bytes") != std::string::npos, expectError(root).c_str());
    fs::remove(root / "metadata.csv");
    fs::create_directories(root / "metadata.csv");
    QVERIFY2(expectError(root).find("metadata.csv: is not a file") != std::string::npos, expectError(root).c_str());
  }

  void notAScreenFolder() {
    QTemporaryDir dir;
    QVERIFY(expectError(dir.path().toStdString()).find("metadata.csv") != std::string::npos);
    QVERIFY(expectError(fs::path(dir.path().toStdString()) / "absent").find("not a folder") != std::string::npos);
  }

  void copiedScreenKeepsItsIndex() {
    Screen a;
    a.sites.resize(2);
    a.sites[0].site_id = "x";
    a.sites[1].site_id = "y";
    a.reindex();
    Screen b = a;
    a.sites.clear();
    QVERIFY(b.find("y") == &b.sites[1]);
  }
};

QTEST_APPLESS_MAIN(TestScreenLayout)
#include "test_screen_layout.moc"
