// Binary dilation and erosion with the two structuring elements the tutorial uses:
// - MATLAB `strel('disk', r, 0)`: the exact Euclidean disk {x^2 + y^2 <= r^2} (no line approximation);
// - MATLAB `bwmorph(bw, 'dilate', n)`: n passes of a 3x3 square, i.e. one (2n+1) x (2n+1) square.
// Pixels outside the image count as background for dilation and as foreground for erosion (MATLAB's
// padding for binary images), so erosion = complement of the dilation of the complement.
//
// Speed: each row first gets, per pixel, the horizontal distance to the nearest set pixel in that row
// (two linear passes); a disk of radius r then needs one comparison per (pixel, dy) against the disk's
// half-width at dy, i.e. O(W * H * (2r + 1)) instead of O(W * H * r^2). Rows run in parallel chunks.

extension Mask {
    /// Dilated by the Euclidean disk of `radius` (MATLAB `imdilate(bw, strel('disk', radius, 0))`).
    public func dilated(disk radius: Int) -> Mask {
        precondition(radius >= 0, "radius must be non-negative")
        let halfWidths = (0...radius).map { dy in Int(Double(radius * radius - dy * dy).squareRoot()) }
        return _dilate(halfWidths: halfWidths)
    }

    /// Dilated `iterations` times by a 3x3 square (MATLAB `bwmorph(bw, 'dilate', iterations)`), which equals
    /// one dilation by a (2 * iterations + 1) square.
    public func dilated(squareIterations iterations: Int) -> Mask {
        precondition(iterations >= 0, "iterations must be non-negative")
        return _dilate(halfWidths: [Int](repeating: iterations, count: iterations + 1))
    }

    /// Eroded by the Euclidean disk of `radius` (MATLAB `imerode(bw, strel('disk', radius, 0))`).
    public func eroded(disk radius: Int) -> Mask { inverted().dilated(disk: radius).inverted() }

    /// Eroded `iterations` times by a 3x3 square (MATLAB `bwmorph(bw, 'erode', iterations)`).
    public func eroded(squareIterations iterations: Int) -> Mask {
        inverted().dilated(squareIterations: iterations).inverted()
    }

    /// Foreground and background swapped.
    public func inverted() -> Mask { Mask(width: width, height: height, bits: bits.map { !$0 }) }

    /// Set where this mask is set and `other` is not (e.g. candidates minus dilated ground truth).
    public func subtracting(_ other: Mask) -> Mask {
        precondition(width == other.width && height == other.height, "mask sizes differ")
        return Mask(width: width, height: height, bits: zip(bits, other.bits).map { $0 && !$1 })
    }

    /// Dilation by a symmetric element given as half-widths per |dy| (`halfWidths[dy]`, dy = 0 ... r).
    private func _dilate(halfWidths: [Int]) -> Mask {
        let w = width, h = height, r = halfWidths.count - 1
        guard w > 0, h > 0 else { return self }
        let far = Int32.max / 2
        // distance[y * w + x]: |x - x'| to the nearest set pixel x' in row y, or `far`.
        var distance = [Int32](repeating: far, count: w * h)
        bits.withUnsafeBufferPointer { source in
            distance.withUnsafeMutableBufferPointer { target in
                let d = _SharedBuffer(target.baseAddress!)
                _forEachRowChunk(rows: h, costPerRow: 2 * w) { rows in
                    for y in rows {
                        let row = y * w
                        var last = far
                        for x in 0..<w {
                            last = source[row + x] ? 0 : min(last &+ 1, far)
                            d.base[row + x] = last
                        }
                        last = far
                        for x in stride(from: w - 1, through: 0, by: -1) {
                            last = source[row + x] ? 0 : min(last &+ 1, far)
                            d.base[row + x] = min(d.base[row + x], last)
                        }
                    }
                }
            }
        }
        var out = [Bool](repeating: false, count: w * h)
        let limits = halfWidths.map { Int32($0) }
        distance.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { target in
                let o = _SharedBuffer(target.baseAddress!)
                _forEachRowChunk(rows: h, costPerRow: w * (2 * r + 1)) { rows in
                    // slack[x] = min over dy of (distance - half-width); covered where it is <= 0.
                    // Branch-free so the inner loop vectorises.
                    var slack = [Int32](repeating: far, count: w)
                    for y in rows {
                        for x in 0..<w { slack[x] = far }
                        for dy in max(-r, -y)...min(r, h - 1 - y) {
                            let limit = limits[abs(dy)], row = (y + dy) * w
                            for x in 0..<w { slack[x] = min(slack[x], d[row + x] &- limit) }
                        }
                        for x in 0..<w { o.base[y * w + x] = slack[x] <= 0 }
                    }
                }
            }
        }
        return Mask(width: w, height: h, bits: out)
    }
}
