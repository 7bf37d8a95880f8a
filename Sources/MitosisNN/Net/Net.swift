/// A network built from a `NetDefinition` for one `Phase` (Caffe's `Net`).
///
/// Blobs are looked up by name. External inputs are the net-level `inputs` (deploy nets), the tops of
/// `Input` layers and the tops of `Data` layers, whose batches the caller supplies (`setInput`). Where a blob
/// feeds several layers a `Split` layer is inserted, as Caffe does, so gradients add up.
public final class Net {
    /// The definition as given (all phases).
    public let definition: NetDefinition
    /// The phase the layers were selected and built for.
    public let phase: Phase
    /// The net's random source (fillers, dropout). Its state is part of `SolverState`.
    public let random: RandomSource
    /// Layers in execution order, including inserted `Split` layers.
    public private(set) var layers: [any Layer] = []
    /// Names of the blobs the caller feeds, in definition order.
    public private(set) var inputNames: [String] = []

    private(set) var bottoms: [[Blob]] = []
    private(set) var tops: [[Blob]] = []
    /// Loss weight of each top of each layer (0 = not a loss).
    private(set) var lossWeights: [[Float]] = []
    private var needsBackward: [Bool] = []
    private var propagateDown: [[Bool]] = []
    private var blobsByName: [String: Blob] = [:]
    private var blobNames: [String] = []
    private var inputBlobs: [Blob] = []
    /// Set when an input changed shape; the next forward reshapes the net first.
    private var needsReshape = false

    /// Builds the layers that run in `phase` and infers every shape.
    /// - Parameters:
    ///   - inputShapes: NCHW shapes of external inputs by blob name; they override the definition's. A `Data`
    ///     layer's tops must be given here, except that with `crop_size` set its first top defaults to
    ///     (batch_size, 3, crop, crop) (colour images) and its second to (batch_size).
    ///   - backend: where Convolution, Pooling and InnerProduct get their kernels.
    ///   - seed: seeds the parameter fillers and dropout masks.
    /// - Throws: `NNError` naming the layer for an unknown type, a missing bottom or shapes that do not fit.
    public init(definition: NetDefinition, phase: Phase, inputShapes: [String: [Int]] = [:],
                backend: any ComputeBackend = SwiftBackend(), seed: UInt64 = 0) throws {
        self.definition = definition
        self.phase = phase
        self.random = RandomSource(seed: seed)
        let context = LayerContext(phase: phase, backend: backend, random: random)
        for (name, shape) in definition.inputs {
            let blob = Blob(shape: inputShapes[name] ?? shape)
            register(blob, as: name)
            inputNames.append(name)
            inputBlobs.append(blob)
        }
        for layerDefinition in Net.insertingSplits(into: definition.layers(in: phase), inputs: definition.inputNames) {
            try append(layerDefinition, context: context, inputShapes: inputShapes)
        }
        planBackward()
    }

    // MARK: Building

    private func register(_ blob: Blob, as name: String) {
        if blobsByName[name] == nil { blobNames.append(name) }
        blobsByName[name] = blob
    }

    private func append(_ d: LayerDefinition, context: LayerContext, inputShapes: [String: [Int]]) throws {
        let layer = try LayerRegistry.make(d, context: context)
        let layerBottoms = try d.bottoms.map { name -> Blob in
            guard let blob = blobsByName[name] else {
                throw NNError.missingBottom(
                    layer: d.name, bottom: name,
                    hint: "known blobs here: \(blobNames.joined(separator: ", ")); check the layer order and its include phase")
            }
            return blob
        }
        var layerTops: [Blob] = []
        for name in d.tops {
            if let i = d.bottoms.firstIndex(of: name) {
                guard layer.allowsInPlace else {
                    throw NNError.invalidDefinition(layer: d.name, hint: "\(d.type) cannot run in place (top '\(name)' is also a bottom)")
                }
                layerTops.append(layerBottoms[i])
            } else {
                let blob = Blob()
                register(blob, as: name)
                layerTops.append(blob)
            }
        }
        if let input = layer as? Input {
            input.shapes = try externalShapes(d, given: inputShapes)
            inputNames += d.tops
            inputBlobs += layerTops
        }
        try layer.reshape(bottoms: layerBottoms, tops: layerTops)
        layers.append(layer)
        bottoms.append(layerBottoms)
        tops.append(layerTops)
        lossWeights.append(d.tops.indices.map { i in i < d.lossWeight.count ? d.lossWeight[i] : layer.defaultLossWeight(top: i) })
    }

    /// Top shapes of an Input or Data layer.
    private func externalShapes(_ d: LayerDefinition, given: [String: [Int]]) throws -> [[Int]] {
        try d.tops.enumerated().map { i, name in
            if let shape = given[name] { return shape }
            if i < d.inputShapes.count { return d.inputShapes[i] }
            if let data = d.data {
                if i == 1 { return [data.batchSize] }
                if i == 0, data.transform.cropSize > 0 {
                    return [data.batchSize, 3, data.transform.cropSize, data.transform.cropSize]
                }
            }
            throw NNError.invalidDefinition(
                layer: d.name, hint: "no shape for input '\(name)'; pass inputShapes: [\"\(name)\": [N, C, H, W]] to Net.init")
        }
    }

    /// Which layers run backward and into which bottoms, following Caffe: a layer needs backward if it has
    /// parameters or a bottom that needs a gradient, and if its tops lead to a loss.
    private func planBackward() {
        var needsGrad = Set<ObjectIdentifier>()
        needsBackward = []
        propagateDown = []
        for (i, layer) in layers.enumerated() {
            let down = bottoms[i].indices.map { needsGrad.contains(ObjectIdentifier(bottoms[i][$0])) && layer.canPropagateDown(bottom: $0) }
            let needs = !layer.blobs.isEmpty || down.contains(true)
            needsBackward.append(needs)
            propagateDown.append(down)
            if needs { for top in tops[i] { needsGrad.insert(ObjectIdentifier(top)) } }
        }
        var underLoss = Set<ObjectIdentifier>()
        for i in layers.indices.reversed() {
            let contributes = tops[i].indices.contains { lossWeights[i][$0] != 0 || underLoss.contains(ObjectIdentifier(tops[i][$0])) }
            if contributes {
                for blob in bottoms[i] { underLoss.insert(ObjectIdentifier(blob)) }
            } else {
                needsBackward[i] = false
            }
        }
    }

    // MARK: Running

    /// Index of the layer named `name`.
    public func layerIndex(_ name: String) throws -> Int {
        guard let i = layers.firstIndex(where: { $0.name == name }) else {
            throw NNError.unknownName(name, hint: "layers: \(layers.map(\.name).joined(separator: ", "))")
        }
        return i
    }

    /// The layer named `name`, if any.
    public func layer(named name: String) -> (any Layer)? { layers.first { $0.name == name } }

    /// Runs all layers (or up to and including `layer`) and returns the weighted sum of the losses.
    @discardableResult
    public func forward(upTo layer: String? = nil) throws -> Float {
        let last = try layer.map(layerIndex) ?? layers.count - 1
        return try forward(layers: 0...max(0, last))
    }

    /// Runs `range` of layers and returns their weighted loss.
    /// - Throws: a shape error if inputs changed shape since the last forward and no longer fit.
    @discardableResult
    public func forward(layers range: ClosedRange<Int>) throws -> Float {
        if needsReshape { try reshape() }
        var loss: Float = 0
        for i in range where i < layers.count {
            layers[i].forward(bottoms: bottoms[i], tops: tops[i])
            for (t, weight) in lossWeights[i].enumerated() where weight != 0 {
                loss += weight * tops[i][t].data.reduce(0, +)
            }
        }
        return loss
    }

    /// Sets the inputs, then runs forward.
    @discardableResult
    public func forward(inputs: [String: Tensor]) throws -> Float {
        for (name, tensor) in inputs { try setInput(name, tensor) }
        return try forward()
    }

    /// Back-propagates from the losses of the last forward: overwrites activation gradients and ADDS to the
    /// parameter gradients (call `clearParamDiffs` first, as the solver does).
    public func backward() {
        for blob in inputBlobs { blob.zeroDiff() }
        for tops in tops { for blob in tops { blob.zeroDiff() } }
        for i in layers.indices {
            for (t, weight) in lossWeights[i].enumerated() where weight != 0 {
                tops[i][t].diff = [Float](repeating: weight, count: tops[i][t].count)
            }
        }
        for i in layers.indices.reversed() where needsBackward[i] {
            layers[i].backward(tops: tops[i], propagateDown: propagateDown[i], bottoms: bottoms[i])
        }
    }

    /// Forward then backward; returns the loss.
    @discardableResult
    public func forwardBackward() throws -> Float {
        let loss = try forward()
        backward()
        return loss
    }

    // MARK: Blobs and shapes

    /// The blob named `name` (the latest one, for in-place chains), if any.
    public func blob(_ name: String) -> Blob? { blobsByName[name] }

    /// Blobs that no later layer reads (Caffe's net outputs: losses, accuracies, deploy probabilities).
    public var outputNames: [String] {
        var outputs: [String] = []
        for layer in layers {
            for name in layer.definition.bottoms { outputs.removeAll { $0 == name } }
            for name in layer.definition.tops where !outputs.contains(name) { outputs.append(name) }
        }
        return outputs
    }

    /// All blob names, in order of first appearance.
    public var blobNamesInOrder: [String] { blobNames }

    /// Copies `tensor` into input `name`. If its shape changed, the net is reshaped at the next forward (so
    /// data and labels of a new batch size can be set one after the other), or call `reshape()`.
    /// - Throws: `NNError.unknownName` if `name` is not an input.
    public func setInput(_ name: String, _ tensor: Tensor) throws {
        guard let i = inputNames.firstIndex(of: name) else {
            throw NNError.unknownName(name, hint: "inputs are: \(inputNames.joined(separator: ", "))")
        }
        let blob = inputBlobs[i]
        if blob.shape != tensor.shape {
            setInputShape(i, tensor.shape)
            needsReshape = true
        }
        blob.data = tensor.data
    }

    private func setInputShape(_ index: Int, _ shape: [Int]) {
        let blob = inputBlobs[index]
        blob.reshape(shape)
        let name = inputNames[index]
        for case let input as Input in layers {
            if let t = input.definition.tops.firstIndex(of: name) { input.shapes[t] = shape }
        }
    }

    /// Re-infers every shape from the current input shapes (Caffe's `Net::Reshape`).
    public func reshape() throws {
        for i in layers.indices { try layers[i].reshape(bottoms: bottoms[i], tops: tops[i]) }
        needsReshape = false
    }

    /// Changes the batch size (first dimension) of every input and reshapes.
    public func reshape(batchSize: Int) throws {
        for i in inputBlobs.indices {
            var shape = inputBlobs[i].shape
            guard !shape.isEmpty else { continue }
            shape[0] = batchSize
            setInputShape(i, shape)
        }
        try reshape()
    }

    /// Switches Convolution, Pooling and InnerProduct to `backend` (kernels are rebuilt now).
    public func use(_ backend: any ComputeBackend) throws {
        for layer in layers {
            (layer as? Convolution)?.use(backend)
            (layer as? Pooling)?.use(backend)
            (layer as? InnerProduct)?.use(backend)
        }
        try reshape()
    }
}
