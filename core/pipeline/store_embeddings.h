#pragma once
// The embeddings a store holds for analysis, and importing another store's as /obsm/<name>.

#include <filesystem>
#include <string>
#include <vector>

#include "core/store/provenance.h"

namespace gandl::pipeline {

// Copies the embedding of another store of the same sites (matched by site_id, any order) into
// /obsm/<name> of `store`, recording where it came from; `analyze --compare NAME=FILE` does the
// same. Throws data::DataError naming `other` when it lacks a site of `store`.
void importEmbedding(const std::filesystem::path& store, const std::string& name, const std::filesystem::path& other);

// The embeddings a store offers for analysis: "X" first, then the /obsm entries that are not
// normalized copies written by an analysis.
std::vector<std::string> analysableEmbeddings(const std::filesystem::path& store);

// What an embedder's store holds, in words, from its provenance: "GAN-DL FC-512 (demo, step
// 5000)", "GAN-DL multiscale (...)", "random-weight D FC-512", "intensity statistics".
std::string describeEmbedder(const store::Provenance& provenance);
// The same for an embedding of a store by name (X, or an /obsm entry; an imported one is
// described by the store it came from): what the views show instead of "X".
std::string embeddingLabel(const std::filesystem::path& store, const std::string& name);

}  // namespace gandl::pipeline
