// RFC 4180 parsing as metadata files really come, and the errors that point into the file.
#include <QtTest>

#include "core/data/csv.h"
#include "core/data/data_error.h"

using gandl::data::CsvTable;
using gandl::data::DataError;
using gandl::data::parseCsv;

class TestCsv : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void quotedFieldsWithCommasQuotesAndNewlines() {
    const std::string text =
        "name,smiles,conc\n"
        "\"Compound 7, hydrochloride\",\"C(=O)\"\"N\",1.5\n"
        "\"two\nlines\",,\n";
    const CsvTable t = parseCsv(text, "meta.csv");
    QCOMPARE(t.rows.size(), std::size_t(2));
    QCOMPARE(t.rows[0][0], std::string("Compound 7, hydrochloride"));
    QCOMPARE(t.rows[0][1], std::string("C(=O)\"N"));
    QCOMPARE(t.rows[1][0], std::string("two\nlines"));
    QCOMPARE(t.rows[1][1], std::string());
    QCOMPARE(t.rows[1][2], std::string());
    QCOMPARE(t.lines[0], 2L);
    QCOMPARE(t.lines[1], 3L);
  }

  void crlfBomAndMissingFinalNewline() {
    const std::string text = "\xEF\xBB\xBFsite_id,plate\r\nA_1,1\r\nB_1,2";
    const CsvTable t = parseCsv(text, "m.csv");
    QCOMPARE(t.header[0], std::string("site_id"));
    QCOMPARE(t.rows.size(), std::size_t(2));
    QCOMPARE(t.rows[1][1], std::string("2"));
    QCOMPARE(t.column("plate"), 1);
    QCOMPARE(t.column("nope"), -1);
  }

  void blankLinesAreSkippedButCounted() {
    const CsvTable t = parseCsv("a,b\n\n1,2\n\n", "m.csv");
    QCOMPARE(t.rows.size(), std::size_t(1));
    QCOMPARE(t.lines[0], 3L);
  }

  void trailingEmptyFieldIsAField() {
    const CsvTable t = parseCsv("a,b\n1,\n", "m.csv");
    QCOMPARE(t.rows[0].size(), std::size_t(2));
  }

  void wrongFieldCountNamesTheLine() {
    try {
      parseCsv("a,b\n1,2\n1,2,3\n", "meta.csv");
      QFAIL("expected an error");
    } catch (const DataError& e) {
      QCOMPARE(e.line(), 3L);
      QVERIFY(std::string(e.what()).find("meta.csv: line 3") != std::string::npos);
      QVERIFY(std::string(e.what()).find("3 fields") != std::string::npos);
    }
  }

  void unterminatedQuoteNamesTheLine() {
    try {
      parseCsv("a,b\n1,2\n\"open,3\n4,5\n", "meta.csv");
      QFAIL("expected an error");
    } catch (const DataError& e) {
      QCOMPARE(e.line(), 3L);
    }
  }

  void textAfterAClosingQuoteNamesTheLine() {
    try {
      parseCsv("a,b\n1,\"two\"2\n", "meta.csv");
      QFAIL("expected an error");
    } catch (const DataError& e) {
      QCOMPARE(e.line(), 2L);
      QVERIFY2(std::string(e.what()).find("after a closing quote") != std::string::npos, e.what());
    }
    QCOMPARE(parseCsv("a,b\n1,\"two\"\r\n", "ok.csv").rows[0][1], std::string("two"));
  }

  void emptyInputIsAnError() {
    QVERIFY_THROWS_EXCEPTION(DataError, parseCsv("", "empty.csv"));
    QVERIFY_THROWS_EXCEPTION(DataError, parseCsv("\xEF\xBB\xBF", "bom-only.csv"));
  }

  void missingColumnIsNamed() {
    const CsvTable t = parseCsv("a,b\n1,2\n", "m.csv");
    try {
      t.requireColumn("treatment_conc");
      QFAIL("expected an error");
    } catch (const DataError& e) {
      QCOMPARE(e.column(), std::string("treatment_conc"));
    }
  }

  void writerRoundTrips() {
    const std::vector<std::string> fields{"plain", "with, comma", "with \"quote\"", "two\nlines", ""};
    const std::string text = "h1,h2,h3,h4,h5\n" + gandl::data::csvRow(fields);
    const CsvTable t = parseCsv(text, "rt.csv");
    QCOMPARE(t.rows.size(), std::size_t(1));
    for (std::size_t i = 0; i < fields.size(); ++i) QCOMPARE(t.rows[0][i], fields[i]);
    QCOMPARE(gandl::data::csvField("plain"), std::string("plain"));
  }
};

QTEST_APPLESS_MAIN(TestCsv)
#include "test_csv.moc"
