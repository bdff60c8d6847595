#pragma once
// The seal of a finished store: a checksum of every byte HDF5 owns, written into the file's
// 512-byte HDF5 user block (which HDF5, h5py and anndata skip), so that a store whose bytes
// changed after it was written (a flipped bit on disk, a truncated copy) is refused before the
// HDF5 library parses a single damaged structure. Internal to gandl_store.
//
// The user block holds "GANDL-STORE-SEAL 1\nbytes <N>\ncrc32 <8 hex>\n", then zeros; N counts the
// bytes after the user block. A file without a user block (HDF5's signature at byte 0, as anndata
// writes) or with an all-zero one is unsealed: other tools' stores are read unverified.

#include <hdf5.h>

#include <filesystem>

namespace gandl::store::seal {

inline constexpr hsize_t kUserBlockBytes = 512;

// A file-creation property list with the user block reserved.
hid_t createPropertyList();

// Writes the seal into the closed file's user block and syncs the file; throws h5::Failure.
void write(const std::filesystem::path& file);

enum class State { Unsealed, Verified };
// Verifies a sealed file; throws h5::Failure ("is damaged: ...") when it does not match.
State verify(const std::filesystem::path& file);

}  // namespace gandl::store::seal
