// The numeric steps behind DigitPicture: resampling, statistics, connected
// components and a Euclidean distance transform, over one grey plane.
//
// Coordinates: x is the column (0 at the left), y the row (0 at the top);
// pixel (x, y) is `values[y * width + x]` and its centre is at (x, y).

/// A plane of `width × height` values, row-major from the top-left; for
/// ink, 0 is background and 1 is full ink.
struct InkImage: Equatable, Sendable {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        precondition(width > 0 && height > 0 && values.count == width * height, "bad InkImage size")
        self.width = width
        self.height = height
        self.values = values
    }

    init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: width * height))
    }

    subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// A rectangle of pixels: columns `x..<x+width`, rows `y..<y+height`.
    struct Box: Equatable, Sendable {
        var x: Int
        var y: Int
        var width: Int
        var height: Int
    }

    // MARK: - Statistics

    /// Values of the outer ring of pixels, `thickness` deep.
    func border(thickness: Int) -> [Float] {
        let t = max(1, min(thickness, (min(width, height) + 1) / 2))
        var ring: [Float] = []
        ring.reserveCapacity(2 * t * (width + height))
        for y in 0..<height {
            let inBand = y < t || y >= height - t
            for x in 0..<width where inBand || x < t || x >= width - t {
                ring.append(self[x, y])
            }
        }
        return ring
    }

    /// The median of `values` (each in [0, 1]) at 1/255 resolution, from a
    /// 256-bin histogram so large images need no sort.
    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        var histogram = [Int](repeating: 0, count: 256)
        for value in values { histogram[Int((min(max(value, 0), 1) * 255).rounded())] += 1 }
        let half = (values.count + 1) / 2
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if seen >= half { return Float(bin) / 255 }
        }
        return 1
    }

    /// The smallest box holding every value above `threshold`, or `nil`.
    func boundingBox(above threshold: Float = 0) -> Box? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in 0..<height {
            for x in 0..<width where self[x, y] > threshold {
                minX = min(minX, x)
                maxX = max(maxX, x)
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        guard maxX >= 0 else { return nil }
        return Box(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }

    /// The `box` part of the image; parts of `box` outside the image read 0.
    func cropped(to box: Box) -> InkImage {
        var out = InkImage(width: box.width, height: box.height)
        for y in 0..<box.height {
            let sy = box.y + y
            guard sy >= 0, sy < height else { continue }
            for x in 0..<box.width {
                let sx = box.x + x
                if sx >= 0, sx < width { out[x, y] = self[sx, sy] }
            }
        }
        return out
    }

    /// Σ value·(x, y) / Σ value, or `nil` for an empty image.
    var centreOfMass: (x: Double, y: Double)? {
        var mass = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<height {
            for x in 0..<width {
                let v = Double(self[x, y])
                mass += v
                sx += v * Double(x)
                sy += v * Double(y)
            }
        }
        guard mass > 0 else { return nil }
        return (sx / mass, sy / mass)
    }

    /// Estimated stroke width of the ink, in pixels: 2·A / P, with A the ink
    /// mass Σ value and P the perimeter of the core (values ≥ 0.5) counted
    /// in pixel edges. For a stroke of width w and length L ≫ w, A ≈ w·L
    /// and P ≈ 2·L. `nil` when there is no core.
    var strokeWidth: Double? {
        var mass = 0.0
        var edges = 0
        for y in 0..<height {
            for x in 0..<width {
                let v = self[x, y]
                mass += Double(v)
                guard v >= 0.5 else { continue }
                if x == 0 || self[x - 1, y] < 0.5 { edges += 1 }
                if x == width - 1 || self[x + 1, y] < 0.5 { edges += 1 }
                if y == 0 || self[x, y - 1] < 0.5 { edges += 1 }
                if y == height - 1 || self[x, y + 1] < 0.5 { edges += 1 }
            }
        }
        guard edges > 0 else { return nil }
        return 2 * mass / Double(edges)
    }

    // MARK: - Resampling

    /// Shrinks by an integer `factor`, each output pixel the mean of a
    /// `factor × factor` block (partial blocks at the right and bottom
    /// edges average what they cover).
    func reduced(by factor: Int) -> InkImage {
        precondition(factor >= 1)
        guard factor > 1 else { return self }
        let w = (width + factor - 1) / factor
        let h = (height + factor - 1) / factor
        var sums = [Float](repeating: 0, count: w * h)
        var counts = [Float](repeating: 0, count: w * h)
        for y in 0..<height {
            let row = (y / factor) * w
            for x in 0..<width {
                sums[row + x / factor] += self[x, y]
                counts[row + x / factor] += 1
            }
        }
        for index in sums.indices { sums[index] /= counts[index] }
        return InkImage(width: w, height: h, values: sums)
    }

    /// Resized to `newWidth × newHeight`: by area averaging when shrinking
    /// (each output pixel is the mean of the source area it covers, with
    /// fractional edge weights, so thin strokes fade instead of vanishing),
    /// and by bilinear interpolation when enlarging. Each axis on its own.
    func resized(width newWidth: Int, height newHeight: Int) -> InkImage {
        precondition(newWidth > 0 && newHeight > 0)
        let columns = InkImage.weights(from: width, to: newWidth)
        let rows = InkImage.weights(from: height, to: newHeight)
        var horizontal = [Float](repeating: 0, count: newWidth * height)
        for y in 0..<height {
            for (ox, taps) in columns.enumerated() {
                var sum: Float = 0
                for tap in taps { sum += tap.weight * self[tap.index, y] }
                horizontal[y * newWidth + ox] = sum
            }
        }
        var out = InkImage(width: newWidth, height: newHeight)
        for (oy, taps) in rows.enumerated() {
            for ox in 0..<newWidth {
                var sum: Float = 0
                for tap in taps { sum += tap.weight * horizontal[tap.index * newWidth + ox] }
                out[ox, oy] = sum
            }
        }
        return out
    }

    /// One source sample and its weight in an output sample.
    struct Tap {
        var index: Int
        var weight: Float
    }

    /// Per output sample along one axis, the source samples it is made of,
    /// weights summing to 1.
    static func weights(from source: Int, to target: Int) -> [[Tap]] {
        let scale = Double(target) / Double(source)
        var result: [[Tap]] = []
        result.reserveCapacity(target)
        if scale <= 1 {
            // Area: output sample o covers source [o/scale, (o+1)/scale).
            for o in 0..<target {
                let start = Double(o) / scale
                let end = min(Double(o + 1) / scale, Double(source))
                var taps: [Tap] = []
                var index = Int(start)
                while Double(index) < end, index < source {
                    let overlap = min(end, Double(index + 1)) - max(start, Double(index))
                    if overlap > 0 { taps.append(Tap(index: index, weight: Float(overlap / (end - start)))) }
                    index += 1
                }
                result.append(taps)
            }
        } else {
            // Bilinear: output centre o + 0.5 sits at source o/scale + 0.5/scale - 0.5.
            for o in 0..<target {
                let position = min(max((Double(o) + 0.5) / scale - 0.5, 0), Double(source - 1))
                let left = Int(position)
                let fraction = position - Double(left)
                if left + 1 < source, fraction > 0 {
                    result.append([
                        Tap(index: left, weight: Float(1 - fraction)), Tap(index: left + 1, weight: Float(fraction)),
                    ])
                } else {
                    result.append([Tap(index: left, weight: 1)])
                }
            }
        }
        return result
    }

    // MARK: - Components and distances

    /// Sets to 0 every 8-connected group of non-zero pixels whose core
    /// (pixels ≥ 0.5) is smaller than `fraction` of the largest group's
    /// core: specks of dust or noise away from the digit. Returns how many
    /// groups were removed.
    @discardableResult
    mutating func removeSpecks(smallerThan fraction: Double) -> Int {
        let count = width * height
        var labels = [Int32](repeating: -1, count: count)
        var cores: [Int] = []
        var stack: [Int] = []
        for start in 0..<count where values[start] > 0 && labels[start] < 0 {
            let label = Int32(cores.count)
            var core = 0
            labels[start] = label
            stack.append(start)
            while let index = stack.popLast() {
                if values[index] >= 0.5 { core += 1 }
                let x = index % width, y = index / width
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0, nx < width else { continue }
                        let neighbour = ny * width + nx
                        if values[neighbour] > 0, labels[neighbour] < 0 {
                            labels[neighbour] = label
                            stack.append(neighbour)
                        }
                    }
                }
            }
            cores.append(core)
        }
        guard let largest = cores.max(), largest > 0 else { return 0 }
        let keep = cores.map { Double($0) >= fraction * Double(largest) && $0 > 0 }
        for index in 0..<count where labels[index] >= 0 && !keep[Int(labels[index])] { values[index] = 0 }
        return keep.filter { !$0 }.count
    }

    /// Thickens the ink by `radius` pixels: each pixel becomes at least
    /// `clamp(radius + 0.5 - d, 0, 1)`, where d is its Euclidean distance to
    /// the nearest core pixel (value ≥ 0.5). A fractional radius gives a
    /// partial, anti-aliased rim. The image should have `radius + 1` pixels
    /// of margin around the ink.
    mutating func dilate(radius: Double) {
        guard radius > 0 else { return }
        let distances = coreDistancesSquared()
        for index in values.indices {
            let d = distances[index].squareRoot()
            let rim = Float(min(max(radius + 0.5 - d, 0), 1))
            if rim > values[index] { values[index] = rim }
        }
    }

    /// Squared Euclidean distance from each pixel to the nearest core pixel
    /// (value ≥ 0.5), `.infinity` when there is none: Felzenszwalb and
    /// Huttenlocher's exact transform, one pass over columns, one over rows.
    func coreDistancesSquared() -> [Double] {
        var grid = values.map { $0 >= 0.5 ? 0.0 : Double.infinity }
        var line = [Double](repeating: 0, count: max(width, height))
        var output = [Double](repeating: 0, count: max(width, height))
        for x in 0..<width {
            for y in 0..<height { line[y] = grid[y * width + x] }
            InkImage.distanceTransform(line, count: height, into: &output)
            for y in 0..<height { grid[y * width + x] = output[y] }
        }
        for y in 0..<height {
            for x in 0..<width { line[x] = grid[y * width + x] }
            InkImage.distanceTransform(line, count: width, into: &output)
            for x in 0..<width { grid[y * width + x] = output[x] }
        }
        return grid
    }

    /// The 1-D squared distance transform d(q) = min_p (q - p)² + f(p) of the
    /// first `count` samples, by the lower envelope of parabolas rooted at
    /// the finite samples only.
    static func distanceTransform(_ f: [Double], count n: Int, into d: inout [Double]) {
        var roots: [Int] = []
        var bounds: [Double] = []  // bounds[k]: where parabola k starts to be lowest
        roots.reserveCapacity(n)
        bounds.reserveCapacity(n)
        for q in 0..<n where f[q].isFinite {
            var s = -Double.infinity
            while let p = roots.last {
                s = ((f[q] + Double(q * q)) - (f[p] + Double(p * p))) / Double(2 * (q - p))
                if let start = bounds.last, s <= start {
                    roots.removeLast()
                    bounds.removeLast()
                    s = -Double.infinity
                } else {
                    break
                }
            }
            roots.append(q)
            bounds.append(roots.count == 1 ? -Double.infinity : s)
        }
        guard !roots.isEmpty else {
            for q in 0..<n { d[q] = .infinity }
            return
        }
        var k = 0
        for q in 0..<n {
            while k + 1 < roots.count, bounds[k + 1] < Double(q) { k += 1 }
            let p = roots[k]
            d[q] = Double((q - p) * (q - p)) + f[p]
        }
    }
}
