/// MATLAB `padarray(..., 'symmetric')` indexing: the edge sample is repeated, and indices further out keep
/// reflecting with period `2 * size`. `mirror(-1, n) == 0`, `mirror(n, n) == n - 1`.
@inline(__always)
func symmetricIndex(_ i: Int, _ size: Int) -> Int {
    let period = 2 * size
    var m = i % period
    if m < 0 { m += period }
    return m < size ? m : period - 1 - m
}
