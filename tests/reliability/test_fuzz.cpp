// Bounded random-mutation fuzzing (gcc has no libFuzzer here) of every reader of outside bytes:
// the CSV parser and the screen loader, the PNG channel reader, the store's plate journal and the
// sealed store. Each mutant must be read or refused with a DataError naming the file; nothing may
// crash, hang or throw anything else. The seeds are fixed, so a failure is reproducible; under the
// sanitizer build (scripts/check-sanitizers) the same runs also catch memory errors.
// GANDL_FUZZ_ITERATIONS scales every loop (default 1: about ten seconds in all).
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/data/screen.h"
#include "core/data/site_loader.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"

namespace fs = std::filesystem;
using gandl::data::DataError;

namespace {

int scaled(int iterations) {
  const char* factor = std::getenv("GANDL_FUZZ_ITERATIONS");
  return iterations * std::max(1, factor ? std::atoi(factor) : 1);
}

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

// One to four edits: flip, overwrite with a byte that matters to parsers, insert, delete, truncate.
std::string mutate(std::string bytes, std::mt19937& random) {
  static const char kSpecial[] = {',', '"', '\n', '\r', '\0', '\xFF', '0', '-', '.', 'e', '/', ' '};
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !bytes.empty(); ++e) {
    const std::size_t at = random() % bytes.size();
    switch (random() % 5) {
      case 0:
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << (random() % 8)));
        break;
      case 1:
        bytes[at] = kSpecial[random() % sizeof kSpecial];
        break;
      case 2:
        bytes.insert(at, 1 + random() % 3, kSpecial[random() % sizeof kSpecial]);
        break;
      case 3:
        bytes.erase(at, 1 + random() % 8);
        break;
      default:
        bytes.resize(at);
        break;
    }
  }
  return bytes;
}

// Runs `read`; true when it succeeded, false when it refused with a DataError naming `file`.
template <typename Read>
bool readOrRefuse(Read&& read, const std::string& file, const std::string& what) {
  try {
    read();
    return true;
  } catch (const DataError& error) {
    if (std::string(error.what()).find(file) == std::string::npos)
      QTest::qFail(("refusal without the file name: " + std::string(error.what())).c_str(), __FILE__, __LINE__);
    return false;
  } catch (const std::exception& error) {
    QTest::qFail((what + " threw something else than DataError: " + error.what()).c_str(), __FILE__, __LINE__);
    return false;
  }
}

std::uint32_t crc32(const char* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= static_cast<unsigned char>(data[i]);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Rewrites the CRC of every PNG chunk whose length still fits, so that mutations get past
// libpng's chunk checks into the header, filter and inflate code.
std::string fixPngChecksums(std::string png) {
  std::size_t at = 8;
  while (at + 12 <= png.size()) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(png[i])); };
    const std::uint32_t length = byte(at) << 24 | byte(at + 1) << 16 | byte(at + 2) << 8 | byte(at + 3);
    if (length > png.size() - at - 12) break;
    const std::uint32_t crc = crc32(png.data() + at + 4, length + 4);
    for (int k = 0; k < 4; ++k) png[at + 8 + length + k] = static_cast<char>(crc >> (24 - 8 * k));
    at += 12 + length;
  }
  return png;
}

const char* const kMetadata =
    "site_id,well_id,cell_type,experiment,plate,well,site,disease_condition,treatment,treatment_conc,SMILES\n"
    "HRCE-1_1_B02_1,HRCE-1_1_B02,HRCE,HRCE-1,1,B02,1,Mock,,,\n"
    "HRCE-1_1_B03_1,HRCE-1_1_B03,HRCE,HRCE-1,1,B03,1,Active SARS-CoV-2,,,\n"
    "HRCE-1_1_C04_2,HRCE-1_1_C04,HRCE,HRCE-1,1,C04,2,Active SARS-CoV-2,\"Remdesivir, \"\"GS\"\"\",3.16,CC(C)\n"
    "VERO-1_2_AA17_1,VERO-1_2_AA17,VERO,VERO-1,2,AA17,1,UV Inactivated SARS-CoV-2,,,\n";

}  // namespace

class TestFuzz : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void csvParserAndScreenLoader() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const fs::path metadata = root / "metadata.csv";
    fs::create_directories(root / "images");
    std::mt19937 random(1);
    int accepted = 0;
    const int iterations = scaled(20000);
    for (int i = 0; i < iterations; ++i) {
      const std::string text = mutate(kMetadata, random);
      if (readOrRefuse([&] { gandl::data::parseCsv(text, "fuzz.csv"); }, "fuzz.csv", "parseCsv")) ++accepted;
      if (i % 10 == 0) {
        writeBytes(metadata, text);
        readOrRefuse([&] { gandl::data::loadScreen(root); }, metadata.string(), "loadScreen");
      }
    }
    qInfo("%d of %d mutants parsed", accepted, iterations);
  }

  void pngChannelReader() {
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "B02_s1_w1.png";
    for (const int depth : {CV_8U, CV_16U}) {
      cv::Mat image(24, 20, depth);
      cv::randu(image, 0, depth == CV_8U ? 255 : 65535);
      cv::imwrite(file.string(), image);
      const std::string bytes = readBytes(file);
      std::mt19937 random(depth + 2);
      int accepted = 0;
      const int iterations = scaled(3000);
      for (int i = 0; i < iterations; ++i) {
        // Half the mutants keep valid chunk CRCs, to reach the decoder behind them.
        writeBytes(file, i % 2 ? fixPngChecksums(mutate(bytes, random)) : mutate(bytes, random));
        if (readOrRefuse([&] { gandl::data::readChannel(file); }, file.string(), "readChannel")) ++accepted;
      }
      qInfo("%d-bit: %d of %d mutants decoded", depth == CV_8U ? 8 : 16, accepted, iterations);
    }
  }

  void storeJournalOnResume() {
    QTemporaryDir dir;
    const fs::path path = fs::path(dir.path().toStdString()) / "journal.h5ad";
    const fs::path journal = gandl::store::EmbeddingWriter::partialPath(path);
    std::vector<gandl::data::Site> sites(6);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      sites[i].site_id = "E_1_B0" + std::to_string(i + 2) + "_1";
      sites[i].experiment = "E";
      sites[i].plate = 1;
      sites[i].well = "B0" + std::to_string(i + 2);
    }
    const std::vector<float> rows(6 * 4, 0.5f);
    {
      gandl::store::EmbeddingWriter writer(path, 4, {{"checkpoint_hash", std::string("x")}});
      writer.append(sites, rows.data());
    }
    const std::string plate = readBytes(journal / "plate-000000.rows");
    const std::string header = readBytes(journal / "journal.json");
    std::mt19937 random(3);
    int resumed = 0;
    const int iterations = scaled(2000);
    for (int i = 0; i < iterations; ++i) {
      const bool damageHeader = i % 4 == 0;
      writeBytes(journal / "plate-000000.rows", damageHeader ? plate : mutate(plate, random));
      writeBytes(journal / "journal.json", damageHeader ? mutate(header, random) : header);
      const bool ok = readOrRefuse(
          [&] {
            gandl::store::EmbeddingWriter writer(path, 4, {{"checkpoint_hash", std::string("x")}});
            // A plate file is whole and verified, or dropped and its sites free to embed again.
            QVERIFY(writer.size() == 0 || writer.size() == sites.size());
          },
          journal.string(), "EmbeddingWriter resume");
      if (ok) ++resumed;
    }
    qInfo("%d of %d damaged journals resumed (the rest refused by name)", resumed, iterations);
  }

  void sealedStore() {
    QTemporaryDir dir;
    const fs::path path = fs::path(dir.path().toStdString()) / "sealed.h5ad";
    std::vector<gandl::data::Site> sites(5);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      sites[i].site_id = "s" + std::to_string(i);
      sites[i].experiment = "E";
      sites[i].plate = 1;
    }
    {
      gandl::store::EmbeddingWriter writer(path, 3, {{"checkpoint_hash", std::string("x")}});
      writer.append(sites, std::vector<float>(15, 1.5f).data());
      writer.finish();
    }
    const std::string bytes = readBytes(path);
    const fs::path copy = fs::path(dir.path().toStdString()) / "mutant.h5ad";
    std::mt19937 random(4);
    int opened = 0;
    const int iterations = scaled(1000);
    for (int i = 0; i < iterations; ++i) {
      writeBytes(copy, mutate(bytes, random));
      const bool ok = readOrRefuse(
          [&] {
            const auto store = gandl::store::EmbeddingStore::open(copy);
            QVERIFY(store.readAll() == gandl::store::RowMatrix::Constant(5, 3, 1.5f));
          },
          copy.string(), "EmbeddingStore::open");
      if (ok) ++opened;
    }
    qInfo("%d of %d mutants opened (identical), the rest refused", opened, iterations);
  }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "test_fuzz.moc"
