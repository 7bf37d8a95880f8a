extension Net {
    /// Inserts a `Split` layer after the producer of every blob read by more than one layer, renaming the
    /// readers' bottoms to the split's tops (Caffe's `InsertSplits`). Split tops are named
    /// `<blob>_<producer>_split_<k>`.
    static func insertingSplits(into definitions: [LayerDefinition], inputs: [String]) -> [LayerDefinition] {
        var layers = definitions
        // A blob "version" is its name plus the index of the layer that last wrote it (-1 = net input).
        struct Version: Hashable { var name: String; var producer: Int }
        var current: [String: Int] = [:]
        for name in inputs { current[name] = -1 }
        var readers: [Version: [(layer: Int, bottom: Int)]] = [:]
        var order: [Version] = []
        for (i, layer) in layers.enumerated() {
            for (b, name) in layer.bottoms.enumerated() {
                let version = Version(name: name, producer: current[name] ?? -2)
                if readers[version] == nil { order.append(version) }
                readers[version, default: []].append((i, b))
            }
            for name in layer.tops { current[name] = i }
        }
        var splitsAfter: [Int: [LayerDefinition]] = [:]
        for version in order where version.producer >= -1 {
            guard let list = readers[version], list.count > 1 else { continue }
            let producerName = version.producer >= 0 ? layers[version.producer].name : "input"
            let splitTops = list.indices.map { "\(version.name)_\(producerName)_split_\($0)" }
            var split = LayerDefinition(name: "\(version.name)_\(producerName)_split", type: "Split",
                                        bottoms: [version.name], tops: splitTops)
            split.phases = []
            splitsAfter[version.producer, default: []].append(split)
            for (k, reader) in list.enumerated() { layers[reader.layer].bottoms[reader.bottom] = splitTops[k] }
        }
        var result = splitsAfter[-1] ?? []
        for (i, layer) in layers.enumerated() {
            result.append(layer)
            result += splitsAfter[i] ?? []
        }
        return result
    }
}
