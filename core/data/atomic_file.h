#pragma once
// The data layer's name for the shared write-then-rename helper.
#include "core/common/atomic_file.h"

namespace gandl::data {
using common::AtomicFile;
using common::temporarySibling;
using common::writeFileAtomically;
}  // namespace gandl::data
