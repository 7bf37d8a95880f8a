// Where a caller's plain NCHW buffer meets a primitive that may want oneDNN's blocked layout.
import CDNNL

/// Binds a caller's plain buffer to a primitive argument, reordering when the primitive chose another layout.
///
/// An input edge reorders plain -> primitive layout before the primitive runs; an output edge lets the
/// primitive write into its own layout and reorders back afterwards. When both layouts are equal the
/// caller's buffer is used directly.
final class Edge {
    let plain: Memory
    let inner: Memory?
    private let toInner: Primitive?
    private let toPlain: Primitive?
    private var innerHoldsData = false

    init(plain plainDesc: MemoryDesc, primitive innerDesc: MemoryDesc, isInput: Bool) {
        plain = Memory(plainDesc, owning: false)
        if plainDesc.sameLayout(as: innerDesc) {
            inner = nil; toInner = nil; toPlain = nil
        } else {
            inner = Memory(innerDesc, owning: true)
            toInner = isInput ? Primitive.reorder(from: plainDesc, to: innerDesc) : nil
            toPlain = isInput ? nil : Primitive.reorder(from: innerDesc, to: plainDesc)
        }
    }

    /// The layout the primitive uses.
    var primitiveDesc: MemoryDesc { inner?.desc ?? plain.desc }

    /// Whether the primitive reads/writes the caller's buffer directly.
    var isDirect: Bool { inner == nil }

    /// The memory the primitive reads. `refresh: false` reuses the previous reorder (cached weights).
    func input(_ pointer: UnsafePointer<Float>, refresh: Bool = true) -> dnnl_memory_t {
        plain.bind(pointer)
        guard let inner, let toInner else { return plain.handle }
        if refresh || !innerHoldsData {
            toInner.execute([(DNNL_ARG_FROM, plain.handle), (DNNL_ARG_TO, inner.handle)])
            innerHoldsData = true
        }
        return inner.handle
    }

    /// The memory the primitive writes; call `finish` after the primitive ran.
    func output(_ pointer: UnsafeMutablePointer<Float>) -> dnnl_memory_t {
        plain.bind(pointer)
        return inner?.handle ?? plain.handle
    }

    /// Moves the primitive's result into the caller's buffer (a reorder, or nothing when direct).
    func finish(_ pointer: UnsafeMutablePointer<Float>) {
        if let inner, let toPlain { toPlain.execute([(DNNL_ARG_FROM, inner.handle), (DNNL_ARG_TO, plain.handle)]) }
    }
}
