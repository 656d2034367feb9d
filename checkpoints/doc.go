// Package checkpoints stores what a run directory holds: versioned, checksummed,
// atomically written checkpoint files, the training state mapped onto them, the one
// atomic-write implementation (WriteAtomic), durable CSV appending and repair, and .npz.
// The run directory itself — its layout, its lock, which checkpoint a resume uses — belongs
// to package rundir.
//
// This file documents the storage layer, which knows nothing of training: a checkpoint
// is a File, an ordered list of named Sections, each holding raw bytes, float64s,
// float32s or int64s with a shape. Mapping the training state onto sections is done on
// top of it.
//
// # Durability
//
// A run of 10⁵ epochs must survive a crash or a power loss at any instant without
// losing anything that was reported saved:
//
//   - WriteAtomic / WriteFileAtomic / WriteFile write a temporary file in the target's
//     directory, fsync it, close it, rename it over the target and fsync the directory.
//     After a crash the target holds either the old or the new content, never a mix.
//   - WriteEpoch writes RUN_DIR/checkpoints/epoch-%08d.ckpt that way, and only then
//     rewrites the pointer file "latest" (which holds the checkpoint's file name), the same
//     way; the first checkpoint of a run appears together with its pointer, by the rename
//     of a temporary directory. Latest follows the pointer and verifies the file it names;
//     LatestValid, for a user who asks for a fallback, tries the files newest first and
//     says why it refused the newer ones. Prune keeps the newest files and never the one
//     the pointer names.
//   - CSVAppender appends one row to metrics.csv or analysis.csv and fsyncs it;
//     TruncateCSV, run before resuming at epoch E, atomically drops the rows after E and
//     a torn last line, so that each epoch appears exactly once after a resume.
//
// # Container format, version 1
//
// All integers are little-endian; there is no padding or alignment. Offsets are in bytes.
//
//	offset  size  field
//	0       8     magic, the ASCII bytes "BALNETCK" (Magic)
//	8       4     uint32 format version, 1 (Version)
//	12      8     uint64 payload length n
//	20      n     payload (below)
//	20+n    4     uint32 CRC-32C (Castagnoli polynomial, as hash/crc32) of the n payload bytes
//
// The file is exactly 24+n bytes long. The header is not covered by the checksum, but
// each of its fields is checked on its own: the magic exactly, the version exactly,
// and n against the size of the file.
//
// The payload is a section count followed by that many sections, back to back, and
// nothing after them:
//
//	size      field
//	4         uint32 section count c
//	c times:
//	  2       uint16 name length L, 1 ≤ L ≤ 1024 (MaxNameLen)
//	  L       name, UTF-8, unique within the file
//	  1       uint8 kind: 1 bytes, 2 float64, 3 float32, 4 int64 (Kind)
//	  1       uint8 rank r, 1 ≤ r ≤ 32 (MaxRank)
//	  8·r     r × uint64 dimensions d₁ … d_r (row-major, as numpy's C order)
//	  e·Πdᵢ   the elements: e = 1 (bytes), 8 (float64), 4 (float32), 8 (int64)
//
// Floats are stored as their IEEE-754 bit patterns (math.Float64bits, math.Float32bits),
// so NaN payloads, ±Inf and −0 survive exactly; int64 as two's complement. A 1-D section
// (the default when Section.Shape is empty) has r = 1 and d₁ = number of elements; raw
// bytes are always stored that way. A scalar (File.PutInt) is a 1-D section of length 1.
//
// A reader rejects, in this order: a wrong magic (ErrMagic), a version other than 1
// (ErrVersion), a payload length beyond the file (ErrTruncated) or short of it
// (ErrCorrupt), a checksum mismatch (ErrChecksum), and any inconsistency inside the
// payload (ErrCorrupt). A later version will change the version number; readers do not
// guess at versions they do not know.
//
// # NPZ export
//
// WriteNPZ writes numpy's .npz: a zip archive (stored, not compressed) of NAME.npy
// members in NPY format 1.0: the bytes "\x93NUMPY", the bytes 1 and 0, a uint16
// little-endian header length H, then H bytes of ASCII
// "{'descr': '<f8', 'fortran_order': False, 'shape': (r, c), }" padded with spaces and
// ended by "\n" so that 10+H is a multiple of 64, then the elements in C order.
// Dtypes: '<f8', '<f4', '<i8' and '|u1' for []float64, []float32, []int64 and []byte.
package checkpoints
