// Connected components of a binary mask with 8-connectivity (MATLAB `bwconncomp(bw, 8)` /
// `regionprops(..., 'Area', 'Centroid', 'BoundingBox')`).
// Departure: labels are numbered in row-major order of each component's first pixel (MATLAB's bwlabel
// scans column-major), so label numbers may differ from MATLAB's while the components are the same.

/// One connected component: its pixel count, centroid and bounding box (0-based pixel coordinates).
public struct Component: Sendable, Equatable {
    /// Label in `ConnectedComponents.labels` (1-based).
    public var label: Int
    /// Number of pixels.
    public var area: Int
    /// Mean column of the pixels.
    public var centroidX: Double
    /// Mean row of the pixels.
    public var centroidY: Double
    /// Leftmost column.
    public var minX: Int
    /// Topmost row.
    public var minY: Int
    /// Rightmost column (inclusive).
    public var maxX: Int
    /// Bottom row (inclusive).
    public var maxY: Int
}

/// A labelling of a mask's 8-connected components.
public struct ConnectedComponents: Sendable, Equatable {
    /// Width of the labelled mask.
    public var width: Int
    /// Height of the labelled mask.
    public var height: Int
    /// Per pixel, row-major: 0 for background, else the 1-based label of its component.
    public var labels: [Int32]
    /// The components in label order (`components[i].label == i + 1`).
    public var components: [Component]

    /// Labels `mask` with 8-connectivity (two-pass union-find).
    public init(_ mask: Mask) {
        let w = mask.width, h = mask.height
        var parent: [Int32] = [0]
        func find(_ a: Int32) -> Int32 {
            var a = a
            while parent[Int(a)] != a { parent[Int(a)] = parent[Int(parent[Int(a)])]; a = parent[Int(a)] }
            return a
        }
        var provisional = [Int32](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w where mask.bits[y * w + x] {
                var label: Int32 = 0
                // Already visited neighbours: W, NW, N, NE.
                for (nx, ny) in [(x - 1, y), (x - 1, y - 1), (x, y - 1), (x + 1, y - 1)]
                where nx >= 0 && nx < w && ny >= 0 && provisional[ny * w + nx] != 0 {
                    let other = find(provisional[ny * w + nx])
                    if label == 0 {
                        label = other
                    } else if other != label {
                        let (low, high) = (min(label, other), max(label, other))
                        parent[Int(high)] = low
                        label = low
                    }
                }
                if label == 0 {
                    label = Int32(parent.count)
                    parent.append(label)
                }
                provisional[y * w + x] = label
            }
        }
        // Final labels in row-major order of first appearance; accumulate statistics.
        var final = [Int32](repeating: 0, count: parent.count)
        var components: [Component] = []
        var sums: [(Double, Double)] = []
        var labels = [Int32](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w where provisional[y * w + x] != 0 {
                let root = Int(find(provisional[y * w + x]))
                if final[root] == 0 {
                    components.append(Component(label: components.count + 1, area: 0, centroidX: 0, centroidY: 0,
                                                minX: x, minY: y, maxX: x, maxY: y))
                    sums.append((0, 0))
                    final[root] = Int32(components.count)
                }
                let k = Int(final[root]) - 1
                labels[y * w + x] = final[root]
                components[k].area += 1
                sums[k].0 += Double(x)
                sums[k].1 += Double(y)
                components[k].minX = min(components[k].minX, x)
                components[k].maxX = max(components[k].maxX, x)
                components[k].maxY = y
            }
        }
        for k in components.indices {
            components[k].centroidX = sums[k].0 / Double(components[k].area)
            components[k].centroidY = sums[k].1 / Double(components[k].area)
        }
        self.width = w
        self.height = h
        self.labels = labels
        self.components = components
    }
}
