// Owning wrappers of oneDNN primitive descriptors, primitives and memory objects.
import CDNNL

/// A oneDNN memory descriptor for float32 data.
typealias MemoryDesc = dnnl_memory_desc_t

extension dnnl_memory_desc_t {
    /// A float32 descriptor with `tag` (`dnnl_format_tag_any` lets the primitive choose).
    static func f32(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        DNNL.check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dnnlDims(dims), dnnl_f32, tag), "memory_desc_init \(dims)")
        return md
    }

    /// Size in bytes of a buffer laid out by this descriptor (with the layout's padding).
    var byteCount: Int {
        var md = self
        return dnnl_memory_desc_get_size(&md)
    }

    /// Logical dimensions, outermost first.
    var shape: [Int] {
        withUnsafeBytes(of: dims) { raw in Array(raw.bindMemory(to: Int64.self).prefix(Int(ndims))).map { Int($0) } }
    }

    /// Whether two descriptors describe the same layout.
    func sameLayout(as other: dnnl_memory_desc_t) -> Bool {
        var a = self, b = other
        return dnnl_memory_desc_equal(&a, &b) != 0
    }
}

/// A `dnnl_dims_t` argument (`const int64_t[12]`, passed as a pointer) from an array, zero-filled to 12.
///
/// Pass the array itself, never `&tuple.0`: the address of one tuple element may be a one-element
/// temporary in optimised builds.
func dnnlDims(_ values: [Int]) -> [Int64] {
    values.map(Int64.init) + [Int64](repeating: 0, count: 12 - values.count)
}

/// A primitive with its descriptor: created once, executed many times.
final class Primitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    /// oneDNN's implementation name, e.g. "jit:avx2" or "gemm:jit".
    let implementation: String

    /// Creates the first (fastest) implementation oneDNN offers for an op descriptor.
    convenience init(opDesc: UnsafeRawPointer, hint: Primitive? = nil, attr: dnnl_primitive_attr_t? = nil, what: String) {
        var pd: dnnl_primitive_desc_t?
        DNNL.check(dnnl_primitive_desc_create(&pd, opDesc, attr, DNNL.engine, hint?.descriptor), "\(what) primitive_desc_create")
        self.init(descriptor: pd!, what: what)
    }

    /// Takes ownership of a primitive descriptor and creates its primitive.
    init(descriptor pd: dnnl_primitive_desc_t, what: String) {
        descriptor = pd
        var p: dnnl_primitive_t?
        DNNL.check(dnnl_primitive_create(&p, pd), "\(what) primitive_create")
        primitive = p!
        var name: UnsafePointer<CChar>?
        DNNL.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name), "\(what) impl_info_str")
        implementation = name.map { String(cString: $0) } ?? "?"
    }

    /// A reorder from one layout to another.
    static func reorder(from src: MemoryDesc, to dst: MemoryDesc) -> Primitive {
        var pd: dnnl_primitive_desc_t?
        var s = src, d = dst
        DNNL.check(dnnl_reorder_primitive_desc_create(&pd, &s, DNNL.engine, &d, DNNL.engine, nil), "reorder primitive_desc_create")
        return Primitive(descriptor: pd!, what: "reorder")
    }

    /// The memory descriptor the primitive chose for one of its arguments (`dnnl_query_src_md`, ...).
    func memoryDesc(_ query: dnnl_query_t, index: Int32 = 0) -> MemoryDesc {
        guard let md = dnnl_primitive_desc_query_md(descriptor, query, index) else { return MemoryDesc() }
        return md.pointee
    }

    /// Runs the primitive synchronously on the shared stream.
    func execute(_ args: [(Int32, dnnl_memory_t)]) {
        var exec = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
        DNNL.check(dnnl_primitive_execute(primitive, DNNL.stream, Int32(exec.count), &exec), "execute \(implementation)")
        DNNL.check(dnnl_stream_wait(DNNL.stream), "stream_wait")
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }
}

/// A oneDNN memory object: either owning a buffer allocated by oneDNN or pointing at the caller's.
final class Memory {
    let desc: MemoryDesc
    let handle: dnnl_memory_t

    /// `owning: true` allocates a buffer for the layout; `false` leaves the handle to be bound per call.
    init(_ desc: MemoryDesc, owning: Bool) {
        self.desc = desc
        var d = desc
        var m: dnnl_memory_t?
        let allocate = UnsafeMutableRawPointer(bitPattern: UInt.max)  // DNNL_MEMORY_ALLOCATE
        DNNL.check(dnnl_memory_create(&m, &d, DNNL.engine, owning ? allocate : nil), "memory_create")
        handle = m!
    }

    /// Points the memory at a caller's buffer (oneDNN never writes to inputs).
    func bind(_ pointer: UnsafeRawPointer) {
        DNNL.check(dnnl_memory_set_data_handle(handle, UnsafeMutableRawPointer(mutating: pointer)), "set_data_handle")
    }

    /// The buffer behind the memory.
    var data: UnsafeMutablePointer<Float> {
        var p: UnsafeMutableRawPointer?
        DNNL.check(dnnl_memory_get_data_handle(handle, &p), "get_data_handle")
        return p!.assumingMemoryBound(to: Float.self)
    }

    deinit { dnnl_memory_destroy(handle) }
}
