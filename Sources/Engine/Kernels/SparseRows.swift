// The non-zero inputs of a pass's rows, for the sparse first layer.
//
// Shapes: `N` rows (≤ capacity), `I` = width, `S` = I + 8 (a segment).
//   counts    N     row r has counts[r] non-zeros
//   columns   N×S   row r's segment: the input index k of each non-zero,
//                   increasing (the 8 extra slots take the packed stores'
//                   spill-over)
//   values    N×S   x[r,k] of each non-zero, in the same order
//
// Each row has its own segment, so rows load independently (in parallel),
// and a segment holds every non-zero however dense the row: whether a pass
// then takes the sparse sums is only a question of speed, since they give
// the dense product's bits (a zero term leaves an FMA chain unchanged).

#if ENGINE_AVX2
    import _Builtin_intrinsics.intel
#endif

final class SparseRows {
    /// Passes with more non-zeros than this fraction of their values use
    /// the dense product (at this density the two take about as long).
    static let maximumDensity = 0.5

    let capacity: Int
    let width: Int
    /// Slots per row segment.
    let stride: Int
    let counts: UnsafeMutablePointer<Int>
    let columns: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>

    /// Room for `capacity` rows of `width` inputs.
    init(capacity: Int, width: Int) {
        self.capacity = capacity
        self.width = width
        stride = width + 8
        counts = .allocate(capacity: capacity)
        counts.initialize(repeating: 0, count: capacity)
        columns = .allocate(capacity: capacity * stride)
        columns.initialize(repeating: 0, count: capacity * stride)
        values = .allocate(capacity: capacity * stride)
        values.initialize(repeating: 0, count: capacity * stride)
    }

    deinit {
        counts.deallocate()
        columns.deallocate()
        values.deallocate()
    }

    /// Floats (and Int32s) a row costs.
    static func floatsPerRow(width: Int) -> Int { 2 * (width + 8) + 1 }

    /// Non-zeros in rows `rows`.
    func entries(_ rows: Range<Int>) -> Int {
        rows.reduce(0) { $0 + counts[$1] }
    }

    /// Whether rows `rows` are sparse enough for the sparse sums to pay.
    func isSparse(_ rows: Range<Int>) -> Bool {
        Double(entries(rows)) <= Self.maximumDensity * Double(rows.count * width)
    }

    /// Reads the non-zeros of row `r` from its `width` values at `x`. A
    /// value counts as non-zero when `x != 0` (so NaN does, and -0 does not).
    func load(row r: Int, from x: UnsafePointer<Float>) {
        precondition(r >= 0 && r < capacity, "row \(r) outside the sparse buffers")
        let columns = self.columns + r * stride
        let values = self.values + r * stride
        let whole = width - width % 8
        var n = 0
        Self.packedLanes.withUnsafeBufferPointer { table in
            guard let table = table.baseAddress else { return }
            // Eight inputs at a time without a branch per value (random zeros
            // would mispredict): store all eight lanes packed left (non-zeros
            // first; the segment's 8 extra slots take the rest) and advance
            // by the number of non-zeros.
            var i = 0
            while i < whole {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                let bits = Self.nonzeroLanes(v)
                let lanes = table[Int(bits)]
                UnsafeMutableRawPointer(columns + n).storeBytes(
                    of: lanes &+ SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: i)), as: SIMD8<Int32>.self)
                UnsafeMutableRawPointer(values + n).storeBytes(of: Self.packLeft(v, lanes), as: SIMD8<Float>.self)
                n += bits.nonzeroBitCount
                i += 8
            }
        }
        for k in whole..<width where x[k] != 0 {
            columns[n] = Int32(truncatingIfNeeded: k)
            values[n] = x[k]
            n += 1
        }
        counts[r] = n
    }

    /// The first entry of row `r` whose input index is at least `k`.
    func firstEntry(row r: Int, atLeast k: Int) -> Int {
        let columns = self.columns + r * stride
        var (low, high) = (0, counts[r])
        while low < high {
            let middle = (low + high) / 2
            if Int(columns[middle]) < k { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// For each 8-bit mask, the numbers of its set bits in increasing
    /// order, then zeros: lanes[j] is where the j-th non-zero lane sits.
    private static let packedLanes: [SIMD8<Int32>] = (0..<256).map { mask in
        var lanes = SIMD8<Int32>()
        var count = 0
        for j in 0..<8 where mask & (1 << j) != 0 {
            lanes[count] = Int32(j)
            count += 1
        }
        return lanes
    }

    /// `v[lanes[j]]` in lane j.
    @inline(__always)
    private static func packLeft(_ v: SIMD8<Float>, _ lanes: SIMD8<Int32>) -> SIMD8<Float> {
        #if ENGINE_AVX2
            return _mm256_permutevar8x32_ps(v, unsafeBitCast(lanes, to: SIMD4<Int64>.self))
        #else
            var packed = SIMD8<Float>()
            for j in 0..<8 { packed[j] = v[Int(lanes[j])] }
            return packed
        #endif
    }

    /// Bit j set when lane j is non-zero (`!= 0`).
    @inline(__always)
    private static func nonzeroLanes(_ v: SIMD8<Float>) -> UInt32 {
        let mask = SIMD8<Int32>(repeating: 0).replacing(with: -1, where: v .!= SIMD8<Float>(repeating: 0))
        #if ENGINE_AVX2
            return UInt32(truncatingIfNeeded: _mm256_movemask_ps(unsafeBitCast(mask, to: SIMD8<Float>.self)))
        #else
            let bits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)
            return UInt32(truncatingIfNeeded: (mask & bits).wrappedSum())
        #endif
    }
}
