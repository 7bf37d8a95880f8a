import MitosisSupport

/// `ParallelChunks.forEach` over rows (at most 8 chunks), under the name this module's operations use.
/// Not API.
@usableFromInline
func _forEachRowChunk(rows: Int, costPerRow: Int, _ body: (Range<Int>) -> Void) {
    ParallelChunks.forEach(rows, costPerItem: costPerRow, maxChunks: 8, body)
}

/// `SharedBuffer` under this module's name. Not API.
@usableFromInline
typealias _SharedBuffer = SharedBuffer
