// Record keys as Caffe's `tools/convert_imageset.cpp` writes them.
//
// Caffe builds each key as `caffe::format_int(line_id, 8) + "_" + lines[line_id].first`, i.e. the 0-based line
// index of the (shuffled) list zero-padded to 8 digits, an underscore, then the image path exactly as it appears
// in the list file. Both backends iterate in byte order of the keys, so the zero-padded prefix makes iteration
// order equal to list order: a seeded shuffle of the list is the order training sees. Older Caffe (2014) used
// `snprintf("%08d_%s")` into a 256-byte buffer, which gives the same key for names under 246 bytes.
import Foundation

/// Helpers that produce record keys in the formats Caffe's tools use.
public enum StoreKey {
    /// The key `convert_imageset` gives the record at `index` of its list: `%08d_<name>`.
    ///
    /// Indices of 100,000,000 or more get more digits (no truncation), as `std::setw` does.
    /// - Parameters:
    ///   - index: 0-based position in the (shuffled) list; must not be negative.
    ///   - name: the image path as written in the list file, e.g. `PP_II_0_p_3_90.png`.
    public static func caffe(index: Int, name: String) -> String {
        var key: [UInt8] = []
        caffe(index: index, name: Array(name.utf8)[...], into: &key)
        return String(decoding: key, as: UTF8.self)
    }

    /// The same key as UTF-8 bytes, written into `key` (its storage is reused: step 3 builds millions).
    public static func caffe(index: Int, name: ArraySlice<UInt8>, into key: inout [UInt8]) {
        precondition(index >= 0, "StoreKey.caffe: negative index \(index)")
        key.removeAll(keepingCapacity: true)
        var digits: [UInt8] = []
        var v = index
        repeat { digits.append(UInt8(ascii: "0") + UInt8(v % 10)); v /= 10 } while v > 0
        if digits.count < 8 { key += repeatElement(UInt8(ascii: "0"), count: 8 - digits.count) }
        key += digits.reversed()
        key.append(UInt8(ascii: "_"))
        key += name
    }
}
