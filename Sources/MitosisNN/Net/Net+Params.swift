extension Net {
    /// One learnable blob of the net, with its owner and multipliers.
    public struct LearnableParam {
        /// Name of the layer that owns the blob.
        public var layer: String
        /// Position among that layer's blobs (0 = weights, 1 = bias).
        public var index: Int
        /// The values and gradient.
        public var blob: Blob
        /// lr_mult and decay_mult.
        public var spec: ParamSpec
    }

    /// The learnable blobs in layer order, each blob once (shared blobs are listed at their first owner).
    public var learnableParams: [LearnableParam] {
        var seen = Set<ObjectIdentifier>()
        var result: [LearnableParam] = []
        for layer in layers {
            for (i, (blob, spec)) in zip(layer.blobs, layer.paramSpecs).enumerated() where seen.insert(ObjectIdentifier(blob)).inserted {
                result.append(LearnableParam(layer: layer.name, index: i, blob: blob, spec: spec))
            }
        }
        return result
    }

    /// Values of the learnable blobs of `layer` (weights, then bias); empty if it has none or does not exist.
    public func params(of layer: String) -> [Tensor] {
        self.layer(named: layer)?.blobs.map(\.value) ?? []
    }

    /// Overwrites the learnable blobs of `layer` in place (nets sharing them see the change).
    ///
    /// A tensor whose shape differs only by leading 1s (Caffe V1's 4-D `(1, 1, out, in)` blobs) is accepted and
    /// takes the layer's shape.
    /// - Throws: `NNError.unknownName` for an unknown layer, `.shapeMismatch` naming the layer and both shapes.
    public func setParams(_ tensors: [Tensor], of layer: String) throws {
        guard let target = self.layer(named: layer) else {
            throw NNError.unknownName(layer, hint: "layers: \(layers.map(\.name).joined(separator: ", "))")
        }
        guard tensors.count == target.blobs.count else {
            throw NNError.invalidDefinition(layer: layer, hint: "has \(target.blobs.count) parameter blobs, got \(tensors.count)")
        }
        for (blob, tensor) in zip(target.blobs, tensors) {
            guard Net.sameShape(blob.shape, tensor.shape) else {
                throw NNError.shapeMismatch(layer: layer, expected: blob.shape, got: tensor.shape,
                                            hint: "the imported weights were trained for another architecture or input size")
            }
        }
        for (blob, tensor) in zip(target.blobs, tensors) { blob.data = tensor.data }
    }

    static func sameShape(_ a: [Int], _ b: [Int]) -> Bool {
        a == b || (a.reduce(1, *) == b.reduce(1, *) && Array(a.drop { $0 == 1 }) == Array(b.drop { $0 == 1 }))
    }

    /// All learnable values by layer name (for snapshots).
    public func weights() -> [String: [Tensor]] {
        var result: [String: [Tensor]] = [:]
        for layer in layers where !layer.blobs.isEmpty { result[layer.name] = layer.blobs.map(\.value) }
        return result
    }

    /// Loads values saved by `weights()`; layers absent from `weights` keep theirs. Layers are set in the
    /// net's order (then unknown names, sorted), so a mismatch is always reported at the same layer.
    public func loadWeights(_ weights: [String: [Tensor]]) throws {
        for layer in layers { if let tensors = weights[layer.name] { try setParams(tensors, of: layer.name) } }
        let known = Set(layers.map(\.name))
        for name in weights.keys.filter({ !known.contains($0) }).sorted() { try setParams(weights[name]!, of: name) }
    }

    /// The layers with learnable parameters that `weights` has no values for, in the net's order.
    public func layersWithoutValues(in weights: [String: [Tensor]]) -> [String] {
        layers.filter { !$0.blobs.isEmpty && weights[$0.name] == nil }.map(\.name)
    }

    /// Makes this net use `other`'s parameter blobs for every layer with the same name (as Caffe's solver
    /// does for its TEST nets): updates to one are seen by the other.
    /// - Throws: `NNError.shapeMismatch` if a same-named layer's parameters have other shapes.
    public func shareParams(with other: Net) throws {
        for layer in layers where !layer.blobs.isEmpty {
            guard let source = other.layer(named: layer.name) else { continue }
            guard source.blobs.map(\.shape) == layer.blobs.map(\.shape) else {
                throw NNError.shapeMismatch(layer: layer.name, expected: source.blobs.first?.shape ?? [],
                                            got: layer.blobs.first?.shape ?? [], hint: "cannot share parameters of different shapes")
            }
            layer.blobs = source.blobs
        }
    }

    /// Sets every parameter gradient to zero (before accumulating a new iteration).
    public func clearParamDiffs() {
        for param in learnableParams { param.blob.zeroDiff() }
    }
}
