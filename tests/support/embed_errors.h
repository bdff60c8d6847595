#pragma once
// For the embedder tests: an embedding that must be refused, with a message naming the problem,
// and must leave no output store behind. Header-only; call from a Qt Test slot.

#include <QtTest>

#include <filesystem>
#include <string>

#include "core/pipeline/embed_task.h"

namespace gandl::test {

inline void expectEmbedError(pipeline::EmbedTaskOptions options, const std::filesystem::path& out,
                             const std::string& needle) {
  options.out = out;
  try {
    pipeline::runEmbedding(options);
    QFAIL(("no error; expected " + needle).c_str());
  } catch (const std::exception& e) {
    QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
  }
  QVERIFY(!std::filesystem::exists(out));
}

}  // namespace gandl::test
